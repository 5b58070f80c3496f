/**
 * The report document the HTML renderer takes: the same JSON `ecomdw report
 * --format json` prints (issue 12), read back and checked. It mirrors the report
 * builder's types (`functions/report/types.ts`) field for field, so that the
 * builder's object passes as it is; the renderer keeps its own copy so that it
 * can also render a saved JSON file, and so that a drift between the two is a
 * clear error here rather than an empty chart.
 */
import { z } from 'zod';
import { ReportDocumentError } from './errors.js';

/** How a column's values are written (as in the report builder). */
export const COLUMN_TYPES = ['text', 'date', 'integer', 'amount', 'percent', 'hours'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

const loadRef = z.object({
  loadSeq: z.number().int(),
  batchId: z.string(),
  runId: z.string(),
  loadedAt: z.string(),
});

const column = z.object({
  name: z.string().min(1),
  label: z.string(),
  type: z.enum(COLUMN_TYPES),
});

const cell = z.union([z.string(), z.number(), z.null()], { error: 'a cell must be a string, a number or null' });

const section = z.object({
  id: z.string().min(1),
  title: z.string(),
  description: z.string(),
  columns: z.array(column),
  rows: z.array(z.record(z.string(), cell)),
});

const documentSchema = z.object({
  report: z.literal('ecomdw'),
  version: z.literal(1),
  asOf: loadRef,
  comparedWith: loadRef.nullable(),
  parameters: z.object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    grain: z.enum(['day', 'week', 'month']),
    attribution: z.string(),
  }),
  sections: z.array(section),
});

/** One load of the warehouse (a batch's run that reached the marts). */
export type LoadRef = z.infer<typeof loadRef>;
/** A table column: its key in the rows, its header, how its values are formatted. */
export type Column = z.infer<typeof column>;
/** A row: text and dates as strings, numbers as numbers, NULL as null. */
export type ReportRow = Readonly<Record<string, string | number | null>>;
/** One section of the report: what it is, its columns, its rows. */
export type ReportSection = z.infer<typeof section>;
/** The whole report, as `ecomdw report --format json` writes it. */
export type ReportDocument = z.infer<typeof documentSchema>;
/** How rows are grouped in time. */
export type Grain = ReportDocument['parameters']['grain'];

/** Checks a report document (an object, or the JSON text of one); `source` names it in errors. */
export function parseReportDocument(input: unknown, source = 'report document'): ReportDocument {
  // An object goes through JSON too, so that the builder's object and the JSON
  // file it prints give the same page (-0 is 0, undefined is absent).
  const json = parseJson(typeof input === 'string' ? input : jsonText(input, source), source);
  const result = documentSchema.safeParse(json);
  if (!result.success) throw new ReportDocumentError(`${source} is not an ecomdw report: ${issuesText(result.error.issues, json)}`);
  const ids = new Set<string>();
  for (const s of result.data.sections) {
    if (ids.has(s.id)) throw new ReportDocumentError(`${source}: section ${s.id} appears twice`);
    ids.add(s.id);
  }
  return result.data;
}

function jsonText(value: unknown, source: string): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    throw new ReportDocumentError(`${source} cannot be written as JSON: ${(error as Error).message}`, { cause: error });
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ReportDocumentError(`${source} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** The first few problems, each with where it is (`sections[2] (categories).rows[5].revenue`). */
export function issuesText(issues: readonly z.core.$ZodIssue[], json: unknown): string {
  const shown = issues.slice(0, 3).map((issue) => `${pathText(issue.path, json)}: ${issue.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return `${shown.join('; ')}${more}`;
}

// Section indexes are named by their id, which is what a reader looks for.
function pathText(path: readonly PropertyKey[], json: unknown): string {
  if (path.length === 0) return '(the document)';
  let text = '';
  let node: unknown = json;
  for (const key of path) {
    text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
    node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number' && text.startsWith('sections[') && text.indexOf(']') === text.length - 1) {
      const id = node !== null && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      if (typeof id === 'string') text += ` (${id})`;
    }
  }
  return text;
}
