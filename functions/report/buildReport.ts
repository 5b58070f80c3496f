import { BatchError, ConfigError, LakeError } from '../core/errors.js';
import type { WarehouseEngine } from '../core/engine/types.js';
import { sqlStatement, sqlStatements } from '../core/sql/files.js';
import { rounded } from './numbers.js';
import { attributionText } from './request.js';
import { SECTIONS } from './sections.js';
import type { Grain, LoadRef, Report, ReportRequest, ReportRow, ReportSection } from './types.js';

/** How many loads the data-health sections list (the newest, up to the report's load). */
export const HEALTH_LOADS = 14;

/**
 * Builds the report as the warehouse stood right after one load: the latest
 * successful one, or the one `knownAt` names. Every figure is read from known.*
 * as known at that load and from the ledger of loads up to it, so the same
 * request gives the same report, byte for byte, whatever was loaded since.
 */
export async function buildReport(engine: WarehouseEngine, request: ReportRequest): Promise<Report> {
  const loads = await successfulLoads(engine);
  const asOf = request.knownAt === undefined ? (loads.at(-1) as LoadRef) : findLoad(loads, request.knownAt, '--known-at');
  const comparedWith = comparisonLoad(loads, asOf, request.changesSince);
  const range = await dateRange(engine, asOf, request);
  const grain = request.grain ?? autoGrain(range);
  const params = {
    known_seq: asOf.loadSeq,
    compare_seq: comparedWith?.loadSeq ?? -1,
    from_date: range.from ?? '0001-01-01',
    to_date: range.to ?? '0001-01-01',
    grain,
    attribution: request.attribution.kind,
    attributed_at: attributedAt(request),
    load_limit: HEALTH_LOADS,
    run_id: asOf.runId,
  };
  const wanted = request.sections ?? SECTIONS.map((s) => s.id);
  const sections: ReportSection[] = [];
  for (const spec of SECTIONS.filter((s) => wanted.includes(s.id))) {
    const [statement] = sqlStatements(`report/${spec.id}.sql`, engine.dialect, params);
    const rows = await engine.query({ ...(statement as NonNullable<typeof statement>), label: `report ${spec.id}` });
    let reportRows = spec.rows({ rows, grain });
    if (spec.id === 'freshness') reportRows = reportRows.map((r) => ({ ...r, age_hours: hoursBetween(r.newest_change_at, asOf.loadedAt) }));
    sections.push({ id: spec.id, title: spec.title, description: spec.description, columns: spec.columns, rows: reportRows });
  }
  return {
    report: 'ecomdw',
    version: 1,
    asOf,
    comparedWith,
    parameters: { from: range.from, to: range.to, grain, attribution: attributionText(request.attribution) },
    sections,
  };
}

/** The loads whose run finished (audit.runs), oldest first; an error if there is none. */
export async function successfulLoads(engine: WarehouseEngine): Promise<LoadRef[]> {
  const [ready] = await engine.query({
    label: 'report tables',
    sql: `select count(*) as n from information_schema.tables where table_schema = 'known' and table_name = 'loads'`,
  });
  if (Number(ready?.n ?? 0) === 0) {
    throw new LakeError('this warehouse has no reporting tables yet: run `ecomdw run` (it creates them), then load a batch');
  }
  const rows = await engine.query(sqlStatement('report/meta/successful_loads.sql', engine.dialect));
  if (rows.length === 0) throw new LakeError('the warehouse holds no loaded batch yet: run `ecomdw run` first');
  return rows.map((r) => ({
    loadSeq: Number(r.load_seq),
    batchId: String(r.batch_id),
    runId: String(r.run_id),
    loadedAt: String(r.finished_at).replace('T', ' ').slice(0, 19),
  }));
}

/** A batch's first successful load, or the load of a run id. */
function findLoad(loads: readonly LoadRef[], id: string, flag: string): LoadRef {
  const found = loads.find((l) => l.batchId === id) ?? loads.find((l) => l.runId === id);
  if (found) return found;
  const batches = [...new Set(loads.map((l) => l.batchId))];
  const shown = batches.length > 8 ? [...batches.slice(0, 3), '…', ...batches.slice(-4)] : batches;
  throw new BatchError(`${flag} ${id}: no successful load of that batch or run in this warehouse (loaded batches: ${shown.join(', ')})`);
}

function comparisonLoad(loads: readonly LoadRef[], asOf: LoadRef, since: string | undefined): LoadRef | null {
  if (since === undefined) return loads.filter((l) => l.loadSeq < asOf.loadSeq).at(-1) ?? null;
  const load = findLoad(loads, since, '--changes-since');
  if (load.loadSeq > asOf.loadSeq) {
    throw new ConfigError(`--changes-since ${since} (load ${load.loadSeq}) is later than the report's load ${asOf.loadSeq} (batch ${asOf.batchId})`);
  }
  return load;
}

async function dateRange(engine: WarehouseEngine, asOf: LoadRef, request: ReportRequest): Promise<{ from: string | null; to: string | null }> {
  if (request.from !== undefined && request.to !== undefined) return { from: request.from, to: request.to };
  const [row] = await engine.query(sqlStatement('report/meta/order_dates.sql', engine.dialect, { known_seq: asOf.loadSeq }));
  const first = row?.first_date === null || row?.first_date === undefined ? null : String(row.first_date).slice(0, 10);
  const last = row?.last_date === null || row?.last_date === undefined ? null : String(row.last_date).slice(0, 10);
  return { from: request.from ?? first, to: request.to ?? last };
}

/** day for up to 62 days, week for up to 366, month beyond. */
function autoGrain(range: { from: string | null; to: string | null }): Grain {
  if (range.from === null || range.to === null) return 'day';
  const days = (Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / 86_400_000 + 1;
  return days <= 62 ? 'day' : days <= 366 ? 'week' : 'month';
}

// The instant whose dimension versions the attribution picks: 'current' is the
// version still open (valid_to is the high sentinel), as-of D the one in force
// at the end of D. Unused for 'purchase' (the items carry theirs).
function attributedAt(request: ReportRequest): string {
  switch (request.attribution.kind) {
    case 'purchase':
      return '1900-01-01 00:00:00';
    case 'current':
      return '9999-12-30 00:00:00';
    case 'as-of':
      return `${request.attribution.date} 23:59:59.999999`;
  }
}

function hoursBetween(from: ReportRow[string] | undefined, to: string): number | null {
  if (typeof from !== 'string') return null;
  const ms = Date.parse(`${to.replace(' ', 'T')}Z`) - Date.parse(`${from.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? rounded(ms / 3_600_000, 2) : null;
}
