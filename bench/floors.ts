/**
 * The two references the pipeline is measured against, each in one DuckDB
 * process (all cores) on a database file:
 *
 * - the floor: every raw file read once and its rows written into plain
 *   tables, no logic at all (what the issue's target ratio is taken against);
 * - the contract floor: the writes docs/spec.md makes any implementation do, still
 *   without its logic: silver Parquet with a row hash, staging tables,
 *   history kept per key and the facts of every touched order rewritten. What
 *   the pipeline takes beyond it is the cost of its checks, SCD2, dimension
 *   lookups, tests and step-by-step transactions.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { columnNames, CONTRACT, SOURCE_TABLES, type SourceTable } from '../functions/core/contract.js';
import { readSqlFile, splitStatements } from '../functions/core/sql/files.js';
import { quotedLiteral as lit } from '../functions/core/sql/quote.js';
import { renderSql } from '../functions/core/sql/render.js';

export interface FloorResult {
  readonly kind: 'floor';
  readonly seconds: number;
  readonly maxRssBytes: number;
  /** User + system CPU seconds of the scenario's process (added when it ends). */
  readonly cpuSeconds?: number;
  readonly rows: number;
  readonly files: number;
  readonly unreadableFiles: number;
  readonly duckdbVersion: string;
}

/** The contract floor's parts, in the order they run per batch. */
export const CONTRACT_FLOOR_PARTS = ['raw → silver Parquet', 'silver → staging', 'history', 'facts', 'commits'] as const;
export type ContractFloorPart = (typeof CONTRACT_FLOOR_PARTS)[number];

export interface ContractFloorResult {
  readonly kind: 'contract-floor';
  readonly seconds: number;
  readonly maxRssBytes: number;
  /** User + system CPU seconds of the scenario's process (added when it ends). */
  readonly cpuSeconds?: number;
  /** Rows loaded into staging, summed over the batches. */
  readonly stagedRows: number;
  readonly batches: number;
  /** Seconds per part, summed over the batches. */
  readonly partSeconds: Record<ContractFloorPart, number>;
  /** Fact rows written (rebuilt), summed over the batches. */
  readonly factRows: number;
}

const READERS: Readonly<Record<string, (files: string) => string>> = {
  '.csv': (files) => `read_csv(${files}, header = true, all_varchar = true, union_by_name = true)`,
  '.jsonl': (files) => `read_json(${files}, format = 'newline_delimited', union_by_name = true)`,
  '.parquet': (files) => `read_parquet(${files}, union_by_name = true)`,
};

/** The raw files of one table and batch in one format. */
interface RawGroup {
  readonly table: SourceTable;
  readonly batchId: string;
  readonly extension: string;
  readonly paths: readonly string[];
}

// Every raw file of the lake, grouped by table, batch and format, batches in order.
function rawGroups(lakeDir: string, batches?: readonly string[]): RawGroup[] {
  const groups: RawGroup[] = [];
  for (const table of SOURCE_TABLES) {
    const tableDir = path.join(lakeDir, 'raw', table);
    if (!existsSync(tableDir)) continue;
    for (const folder of readdirSync(tableDir).sort()) {
      const batchId = folder.replace(/^batch_id=/, '');
      if (batches && !batches.includes(batchId)) continue;
      const byFormat = new Map<string, string[]>();
      for (const name of readdirSync(path.join(tableDir, folder)).sort()) {
        const extension = path.extname(name).toLowerCase();
        byFormat.set(extension, [...(byFormat.get(extension) ?? []), path.join(tableDir, folder, name)]);
      }
      for (const [extension, paths] of byFormat) groups.push({ table, batchId, extension, paths });
    }
  }
  return groups;
}

/**
 * Runs `statement` on the group's files in one go; when that fails, on the
 * files DuckDB can read (the pipeline quarantines the others as one record
 * each). Returns how many files were skipped.
 */
async function onReadableFiles(
  connection: DuckDBConnection,
  group: RawGroup,
  statement: (relation: string) => string,
): Promise<{ readable: number; unreadable: number }> {
  const reader = READERS[group.extension];
  if (!reader) return { readable: 0, unreadable: group.paths.length };
  try {
    await connection.run(statement(reader(`[${group.paths.map(lit).join(', ')}]`)));
    return { readable: group.paths.length, unreadable: 0 };
  } catch {
    const readable: string[] = [];
    for (const file of group.paths) {
      try {
        await connection.run(`describe select * from ${reader(`[${lit(file)}]`)}`);
        readable.push(file);
      } catch {
        // skipped: counted below
      }
    }
    if (readable.length > 0) await connection.run(statement(reader(`[${readable.map(lit).join(', ')}]`)));
    return { readable: readable.length, unreadable: group.paths.length - readable.length };
  }
}

async function count(connection: DuckDBConnection, relation: string): Promise<number> {
  const rows = (await connection.runAndReadAll(`select count(*)::bigint as n from ${relation}`)).getRowObjectsJson();
  return Number(rows[0]?.n ?? 0);
}

async function openFresh(dbPath: string, settings: Record<string, string> = {}): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  rmSync(dbPath, { force: true });
  rmSync(`${dbPath}.wal`, { force: true });
  const instance = await DuckDBInstance.create(dbPath, settings);
  return { instance, connection: await instance.connect() };
}

/**
 * The floor: `create table … as select * from read_…(…)` per table, batch and
 * format, then a checkpoint. A file DuckDB cannot read is skipped.
 */
export async function floor(lakeDir: string, dbPath: string, batches?: readonly string[]): Promise<Omit<FloorResult, 'maxRssBytes'>> {
  const started = performance.now();
  const { instance, connection } = await openFresh(dbPath);
  let rows = 0;
  let files = 0;
  let unreadableFiles = 0;
  try {
    const versionRows = (await connection.runAndReadAll(`select version() as v`)).getRowObjectsJson();
    const duckdbVersion = String(versionRows[0]?.v ?? '?');
    for (const group of rawGroups(lakeDir, batches)) {
      const target = `floor_${group.table}_${group.batchId.replace(/\W/g, '_')}_${group.extension.slice(1)}`;
      const done = await onReadableFiles(connection, group, (relation) => `create table ${target} as select * from ${relation}`);
      files += group.paths.length;
      unreadableFiles += done.unreadable;
      if (done.readable > 0) rows += await count(connection, target);
    }
    await connection.run('checkpoint');
    return { kind: 'floor', seconds: (performance.now() - started) / 1000, rows, files, unreadableFiles, duckdbVersion };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

// Customers and products keep every change row (SPEC section 3), so their
// history only grows; the others keep the latest row per contract key.
const KEEPS_EVERY_CHANGE: ReadonlySet<SourceTable> = new Set(['customers', 'products']);

/**
 * The contract floor, per batch in order: each raw file → silver Parquet with
 * an md5 row hash (no parsing, checks or quarantine); silver → the warehouse's
 * own staging tables (values cast, a bad one becomes NULL); history rows of the
 * batch's keys replaced by the batch's latest row per key (by updated_at alone,
 * never compared with the history's own); the fact rows of every
 * order the batch touches deleted and rebuilt from history joined with the
 * order (no dimensions); one commit per batch, a checkpoint at the end.
 */
export async function contractFloor(lakeDir: string, dbPath: string, silverDir: string): Promise<Omit<ContractFloorResult, 'maxRssBytes'>> {
  rmSync(silverDir, { recursive: true, force: true });
  const started = performance.now();
  // The warehouse's own setting: no statement here relies on physical row order either.
  const { instance, connection } = await openFresh(dbPath, { preserve_insertion_order: 'false' });
  const partMs = Object.fromEntries(CONTRACT_FLOOR_PARTS.map((p) => [p, 0])) as Record<ContractFloorPart, number>;
  // Returns the statement's changed-row count (DuckDB answers an insert with it).
  const timed = async (part: ContractFloorPart, sql: string): Promise<number> => {
    const t = performance.now();
    const reader = await connection.runAndReadAll(sql);
    partMs[part] += performance.now() - t;
    const first = reader.columnCount === 1 ? reader.getRowObjectsJson()[0] : undefined;
    return Number(first?.Count ?? 0);
  };
  try {
    for (const file of ['ddl/01_schemas.sql', 'ddl/03_staging.sql']) {
      for (const statement of splitStatements(renderSql(readSqlFile(file), 'duckdb', file))) await connection.run(statement);
    }
    const typesOf = new Map<SourceTable, Map<string, string>>();
    for (const table of SOURCE_TABLES) {
      const columns = columnNames(table).join(', ');
      await connection.run(`create table history_${table} as select ${columns} from staging.${table} limit 0`);
      const types = (
        await connection.runAndReadAll(
          `select column_name, data_type from information_schema.columns where table_schema = 'staging' and table_name = ${lit(table)}`,
        )
      ).getRowObjectsJson();
      typesOf.set(table, new Map(types.map((t) => [String(t.column_name), String(t.data_type)])));
    }
    const itemColumns = columnNames('order_items').map((c) => `items.${c}`).join(', ');
    const paymentColumns = columnNames('payments').map((c) => `payments.${c}`).join(', ');
    await connection.run(`create table fact_order_items as select ${itemColumns}, orders.status as order_status
      from history_order_items as items, history_orders as orders limit 0`);
    await connection.run(`create table fact_payments as select ${paymentColumns}, orders.status as order_status
      from history_payments as payments, history_orders as orders limit 0`);

    const groups = rawGroups(lakeDir);
    const batchIds = [...new Set(groups.map((g) => g.batchId))].sort();
    let stagedRows = 0;
    let factRows = 0;
    for (const batchId of batchIds) {
      const written = new Set<SourceTable>();
      for (const group of groups.filter((g) => g.batchId === batchId)) {
        const dir = path.join(silverDir, group.table, `batch_id=${batchId}`);
        mkdirSync(dir, { recursive: true });
        const target = lit(path.join(dir, `${group.extension.slice(1)}.parquet`));
        const t = performance.now();
        const done = await onReadableFiles(
          connection,
          group,
          (relation) => `copy (select *, md5(concat_ws('|', *columns(*))) as row_hash from ${relation}) to ${target} (format parquet)`,
        );
        partMs['raw → silver Parquet'] += performance.now() - t;
        if (done.readable > 0) written.add(group.table);
      }
      await connection.run('begin transaction');
      for (const table of SOURCE_TABLES.filter((t) => written.has(t))) {
        const silver = lit(path.join(silverDir, table, `batch_id=${batchId}`, '*.parquet'));
        const types = typesOf.get(table) as Map<string, string>;
        const columns = columnNames(table);
        const casts = columns.map((c) => `try_cast(${c} as ${types.get(c)}) as ${c}`).join(', ');
        await timed('silver → staging', `delete from staging.${table}`);
        await timed('silver → staging', `insert into staging.${table} (${columns.join(', ')}) select ${casts} from read_parquet(${silver}, union_by_name = true)`);
        stagedRows += await count(connection, `staging.${table}`);
        const key = KEEPS_EVERY_CHANGE.has(table) ? null : CONTRACT[table].key;
        if (key) {
          const matches = key.map((c) => `history_${table}.${c} = staged.${c}`).join(' and ');
          await timed('history', `delete from history_${table} using staging.${table} as staged where ${matches}`);
        }
        // One row per key, the latest by updated_at (no tie-break, no check against the history's own).
        const latest = key ? ` qualify row_number() over (partition by ${key.join(', ')} order by updated_at desc) = 1` : '';
        await timed('history', `insert into history_${table} select ${columns.join(', ')} from staging.${table}${latest}`);
      }
      await timed('facts', `create or replace temp table touched_orders as
        select order_id from staging.orders union select order_id from staging.order_items
        union select order_id from staging.payments union select order_id from staging.shipments`);
      for (const [fact, source, columns] of [
        ['fact_order_items', 'history_order_items', itemColumns.replaceAll('items.', 'facts.')],
        ['fact_payments', 'history_payments', paymentColumns.replaceAll('payments.', 'facts.')],
      ] as const) {
        await timed('facts', `delete from ${fact} using touched_orders as touched where ${fact}.order_id = touched.order_id`);
        factRows += await timed('facts', `insert into ${fact} select ${columns}, orders.status from ${source} as facts
          inner join history_orders as orders on orders.order_id = facts.order_id
          inner join touched_orders as touched on touched.order_id = orders.order_id`);
      }
      await timed('commits', 'commit');
    }
    await timed('commits', 'checkpoint');
    const partSeconds = Object.fromEntries(CONTRACT_FLOOR_PARTS.map((p) => [p, partMs[p] / 1000])) as Record<ContractFloorPart, number>;
    return { kind: 'contract-floor', seconds: (performance.now() - started) / 1000, stagedRows, batches: batchIds.length, partSeconds, factRows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
