import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../cli/main.js';
import { CONTRACT, RAW_FILE_RULES, SOURCE_TABLES } from '../functions/core/contract.js';

// docs/spec.md is the contract the README relies on; where it names what the code
// defines, both are read here and must agree.
const spec = readFileSync('docs/spec.md', 'utf8');

function section(number: number): string {
  const start = spec.indexOf(`\n## ${number}. `);
  const end = spec.indexOf('\n## ', start + 1);
  expect(start, `section ${number} of docs/spec.md`).toBeGreaterThan(0);
  return spec.slice(start, end === -1 ? undefined : end);
}

const ticked = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
const identifiers = (cell: string): string[] => ticked(cell).filter((t) => /^[a-z_]+$/.test(t));

/** The columns of each `create table ... dw.<name> (...)` in sql/ddl. */
function dwTables(): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const file of readdirSync('sql/ddl').filter((f) => f.endsWith('.sql'))) {
    const ddl = readFileSync(path.join('sql/ddl', file), 'utf8').replace(/--[^\n]*/g, '');
    for (const match of ddl.matchAll(/create table if not exists dw\.(\w+) \(/g)) {
      let depth = 1;
      let i = (match.index ?? 0) + match[0].length;
      const start = i;
      for (; depth > 0; i++) depth += ddl[i] === '(' ? 1 : ddl[i] === ')' ? -1 : 0;
      const body = ddl.slice(start, i - 1).replace(/\([^()]*\)/g, '');
      tables.set(match[1] ?? '', body.split(',').map((column) => (column.trim().split(/\s+/)[0] ?? '').replace(/"/g, '')));
    }
  }
  return tables;
}

describe('docs/spec.md, in step with the code', () => {
  it('holds the source contract of functions/core/contract.json: tables, keys, required and optional columns', () => {
    // Prepare
    const rows = section(2)
      .split('\n')
      .filter((line) => /^\| `\w+` \|/.test(line))
      .map((line) => line.split('|').slice(1, -1));

    // Act
    const documented = Object.fromEntries(rows.map(([table, key, required, optional]) => [identifiers(table ?? '')[0], { key: identifiers(key ?? ''), required: identifiers(required ?? ''), optional: identifiers(optional ?? '') }]));
    const code = Object.fromEntries(
      SOURCE_TABLES.map((t) => [
        t,
        {
          key: [...CONTRACT[t].key],
          required: CONTRACT[t].columns.filter((c) => c.required).map((c) => c.name),
          optional: CONTRACT[t].columns.filter((c) => !c.required).map((c) => c.name),
        },
      ]),
    );

    // Assess
    expect(documented).toEqual(code);
  });

  it('names every dw table of sql/ddl, and no other, and each column it lists exists there', () => {
    // Prepare
    const tables = dwTables();
    const text = section(3);
    const named = new Set(ticked(text).filter((t) => /^(dim|fact)_\w+$/.test(t)));

    // Act: the column lists, paragraph by paragraph ("`dim_date`: `date_key` ..."), and the SCD2 rule
    const missing: string[] = [];
    for (const paragraph of text.split(/\n\n/)) {
      const head = /^`((?:dim|fact)_\w+)`(?: —|:)/.exec(paragraph)?.[1];
      if (head === undefined || head === 'dim_customers') continue;
      // the list ends where the prose goes on ("; includes an `unknown` member"); asides in brackets name other tables' columns
      const listed = identifiers(paragraph.split(/\n- /)[0]?.split(';')[0]?.replace(/\([^()]*\)/g, '') ?? '').filter((c) => !tables.has(c));
      for (const column of listed) if (!tables.get(head)?.includes(column)) missing.push(`${head}.${column}`);
    }
    const scd2 = /- columns: (.+?)\.\n- /s.exec(text)?.[1] ?? '';
    for (const [dimension, entity] of [['dim_customers', 'customers'], ['dim_products', 'products']] as const) {
      const optional = CONTRACT[entity].columns.filter((c) => !c.required && c.name !== 'is_deleted').map((c) => c.name);
      const expected = [`${entity.slice(0, -1)}_sk`, ...CONTRACT[entity].key, ...optional, ...identifiers(scd2)];
      for (const column of expected) if (!tables.get(dimension)?.includes(column)) missing.push(`${dimension}.${column}`);
    }

    // Assess
    expect([...named].sort()).toEqual([...tables.keys()].sort());
    expect(identifiers(scd2)).toEqual(['is_deleted', 'is_inferred', 'is_deleted', 'valid_from', 'valid_to', 'is_current', 'row_hash', 'batch_id']);
    expect(missing).toEqual([]);
  });

  it('names every task of the state machine, and no other, in the pipeline steps', () => {
    // Prepare
    const asl = JSON.parse(readFileSync('statemachine/pipeline.asl.json', 'utf8')) as { States: Record<string, AslState> };
    interface AslState {
      Type: string;
      ItemProcessor?: { States: Record<string, AslState> };
    }
    const tasks = (states: Record<string, AslState>): string[] =>
      Object.entries(states).flatMap(([name, state]) => [...(state.Type === 'Task' ? [name] : []), ...(state.ItemProcessor ? tasks(state.ItemProcessor.States) : [])]);

    // Act
    const documented = ticked(section(4)).filter((t) => /^[A-Z][A-Za-z]+$/.test(t));

    // Assess
    expect(documented.sort()).toEqual(tasks(asl.States).sort());
  });

  it('names every command of the CLI, each flag it gives a command exists, and the README lists every command', () => {
    // Prepare
    const program = buildProgram();
    // a command's flags, and its subcommands' (`import olist --from`)
    const commands = new Map(program.commands.map((c) => [c.name(), new Set([c, ...c.commands].flatMap((s) => s.options.map((o) => o.long)))]));
    const readme = readFileSync('README.md', 'utf8');

    // Act: every `ecomdw <command> ...` span of section 6, with the flags it shows
    const spans = ticked(section(6)).filter((t) => /^ecomdw [a-z]+/.test(t));
    const documented = new Set<string>();
    const unknown: string[] = [];
    for (const span of spans) {
      const name = span.split(/\s+/)[1] ?? '';
      documented.add(name);
      for (const flag of span.match(/--[a-z-]+/g) ?? []) if (!commands.get(name)?.has(flag)) unknown.push(`${name} ${flag}`);
    }

    // Assess
    expect([...documented].sort()).toEqual([...commands.keys()].sort());
    expect(unknown).toEqual([]);
    for (const name of commands.keys()) expect(readme, `README command table: ${name}`).toMatch(new RegExp(`^\\| \`ecomdw ${name}\\b`, 'm'));
  });

  it('README lists the raw file extensions contract.json reads, plain and compressed', () => {
    // Prepare
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(readme.indexOf('### Files'), readme.indexOf('\n\n', readme.indexOf('| extension')));
    const plain = Object.keys(RAW_FILE_RULES.formats);
    const compressed = plain.filter((ext) => RAW_FILE_RULES.compressibleFormats.includes(RAW_FILE_RULES.formats[ext] ?? 'parquet')).map((ext) => `${ext}${RAW_FILE_RULES.compressedSuffix}`);

    // Act
    const documented = ticked(table.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split('|')[1] ?? '').join(' '));

    // Assess
    expect(table).toContain('extension (any case)');
    expect(documented.sort()).toEqual([...plain, ...compressed].sort());
  });

  it('is what the README and docs point at, never a path outside the repository', () => {
    // Prepare
    const docs = ['README.md', ...readdirSync('docs').map((f) => path.join('docs', f))].filter((f) => f.endsWith('.md'));

    // Assess
    expect(readFileSync('README.md', 'utf8')).toContain('](docs/spec.md)');
    for (const file of docs) expect(readFileSync(file, 'utf8'), file).not.toMatch(/\.\.\/shared|shared\/SPEC/);
  });
});
