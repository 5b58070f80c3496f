import { SOURCE_TABLES } from '../contract.js';
import { DIMENSION_FILES, FACT_DAY_FILES, FACT_FILES, MART_FILES, MART_VIEWS } from '../pipelineManifest.js';
import { readSqlFile } from './files.js';

/** One model and the relations it is built from. */
export interface LineageNode {
  readonly model: string;
  readonly sources: string[];
  readonly files: string[];
}

const TARGET = /(?:\b(?:insert\s+into|create\s+temp\s+table|create\s+or\s+replace\s+view)\s+|\{\{\s*create_temp_table\(\s*)((?:[a-z_]+\.)?[a-z_]+)/gi;
const SOURCE = /\b(?:from|join)\s+((?:staging|history|dw|known|mart)\.[a-z_]+|tmp_[a-z_]+)/gi;
const TEMP = /^tmp_/;
const AUDIT = /^audit\./;

/**
 * The model lineage, read from the SQL the pipeline runs (so it cannot drift
 * from the code): each statement's `insert into` target and its `from`/`join`
 * sources; audit bookkeeping is left out.
 */
export function modelLineage(): LineageNode[] {
  const nodes = new Map<string, { sources: Set<string>; files: Set<string> }>();
  const add = (model: string, sources: Iterable<string>, file: string) => {
    const node = nodes.get(model) ?? { sources: new Set<string>(), files: new Set<string>() };
    for (const s of sources) if (s !== model && !AUDIT.test(s)) node.sources.add(s);
    node.files.add(file);
    nodes.set(model, node);
  };
  for (const table of SOURCE_TABLES) {
    add(`silver.${table}`, [`raw.${table}`], `normalize/${table}.sql`);
    add(`staging.${table}`, [`silver.${table}`], 'loadParquet (COPY)');
  }
  for (const file of [...DIMENSION_FILES, ...FACT_FILES, ...FACT_DAY_FILES, ...MART_FILES, ...MART_VIEWS]) {
    for (const statement of readSqlFile(file).split(/;\s*\n/)) {
      const text = statement.replace(/--[^\n]*/g, '');
      const targets = [...text.matchAll(TARGET)].map((m) => (m[1] ?? '').toLowerCase());
      const sources = [...text.matchAll(SOURCE)].map((m) => (m[1] ?? '').toLowerCase());
      for (const target of targets) if (!AUDIT.test(target)) add(target, sources, file);
    }
  }
  // Temp tables are steps inside a model: show what feeds them instead.
  const resolve = (source: string, seen: Set<string>): string[] => {
    if (!TEMP.test(source) || seen.has(source)) return TEMP.test(source) ? [] : [source];
    seen.add(source);
    return [...(nodes.get(source)?.sources ?? [])].flatMap((s) => resolve(s, seen));
  };
  return [...nodes.entries()]
    .filter(([model]) => !TEMP.test(model))
    .map(([model, n]) => ({
      model,
      sources: [...new Set([...n.sources].flatMap((s) => resolve(s, new Set())))].filter((s) => s !== model).sort(),
      files: [...n.files],
    }));
}
