/**
 * Correctness of both tools against the independent reference model
 * (tests/reference/referenceModel.ts) on the same lake: the silver rows every
 * batch produced are the model's input; the pipeline's `dw` tables and the dbt
 * peer's `marts` tables are rendered in the model's canonical form and
 * compared, row by row, per kind of error.
 *
 * Also counts what makes the lake hard (late changes, several changes per key
 * in one batch, same-instant conflicts, deletes), so that the report shows the
 * comparison was made under them.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import { CONTRACT, SOURCE_TABLES, type SourceTable } from '../functions/core/contract.js';
import { quotedLiteral as lit } from '../functions/core/sql/quote.js';
import {
  canonicalDecimal,
  referenceWarehouse,
  type CustomerVersionRef,
  type ProductVersionRef,
  type ReferenceWarehouse,
  type SourceRows,
} from '../tests/reference/referenceModel.js';

/** A dimension version in the reference's canonical form, without its row hash (dbt keeps none). */
export type ComparedVersion = Record<string, unknown> & { valid_from: string; valid_to: string };

/** The four compared tables of a warehouse, canonical form. */
export interface RenderedWarehouse {
  readonly dimCustomers: readonly ComparedVersion[];
  readonly dimProducts: readonly ComparedVersion[];
  readonly factOrderItems: readonly Record<string, unknown>[];
  readonly factPayments: readonly Record<string, unknown>[];
}

/** Errors of one dimension against the reference, counted per version. */
export interface DimensionErrors {
  readonly expected: number;
  readonly actual: number;
  /** Reference versions (key, valid_from) the tool does not have. */
  readonly missing: number;
  /** Tool versions (key, valid_from) the reference does not have. */
  readonly extra: number;
  /** Same key and valid_from, but another valid_to, attribute or flag. */
  readonly wrong: number;
  readonly examples: readonly string[];
}

/** Errors of one fact table against the reference, counted per row. */
export interface FactErrors {
  readonly expected: number;
  readonly actual: number;
  /** Reference rows whose grain key the tool does not have. */
  readonly lost: number;
  /** Extra copies of a grain key in the tool (a key present twice counts once). */
  readonly duplicated: number;
  /** Tool rows whose grain key the reference does not have (e.g. a deleted line kept). */
  readonly extra: number;
  /** Rows present in both whose customer or product version (point in time) differs. */
  readonly wrongPointInTime: number;
  /**
   * Of those, the rows whose version's attributes differ too (another customer, segment,
   * city, cost...): a report by attributes at purchase is wrong for them. The others point
   * at a version with the right attributes but other validity (e.g. one that should have
   * been split by a change the tool never saw).
   */
  readonly wrongAttributesAtPointInTime: number;
  /** Rows present in both, point in time right, another column different (status, amounts, codes). */
  readonly wrongOther: number;
  readonly examples: readonly string[];
}

export interface ToolCorrectness {
  readonly dimCustomers: DimensionErrors;
  readonly dimProducts: DimensionErrors;
  readonly factOrderItems: FactErrors;
  readonly factPayments: FactErrors;
}

/** Per table: what makes the lake hard for an incremental SCD2 load. */
export interface LakeFeatures {
  readonly rows: number;
  /** Key × batch pairs with more than one distinct change (event time, row hash). */
  readonly keysChangedSeveralTimesInABatch: number;
  /** Rows that arrived in a later batch than a newer row of the same key (late, out of order). */
  readonly lateRows: number;
  /** Key × event time pairs with more than one distinct row (same-instant conflicts). */
  readonly conflicts: number;
  /** Rows flagged is_deleted (tables that have the flag). */
  readonly deletes: number;
}

export interface CorrectnessResult {
  readonly kind: 'correctness';
  readonly seconds: number;
  readonly maxRssBytes: number;
  readonly cpuSeconds?: number;
  readonly lakeDir: string;
  readonly batches: readonly string[];
  readonly silverRows: number;
  readonly referenceSeconds: number;
  readonly features: Record<SourceTable, LakeFeatures>;
  readonly pipeline: ToolCorrectness;
  readonly peer: ToolCorrectness | null;
}

const EXAMPLES = 5;

// ---------------------------------------------------------------- reading silver as typed rows

const ts = (column: string): string => `strftime(${column}, '%Y-%m-%d %H:%M:%S')`;

// Each contract column spelled as the reference model wants it (SourceRows).
function typedColumn(table: SourceTable, name: string): string {
  const column = CONTRACT[table].columns.find((c) => c.name === name);
  switch (column?.kind) {
    case 'timestamp':
      return `${ts(name)} as ${name}`;
    case 'decimal':
      return `cast(${name} as double) as ${name}`;
    case 'integer':
      return `cast(${name} as integer) as ${name}`;
    case 'boolean':
      return `coalesce(${name}, false) as ${name}`;
    default:
      return name;
  }
}

function silverRelation(lakeDir: string, table: SourceTable, batches: readonly string[]): string {
  const files = batches.map((b) => lit(path.join(lakeDir, 'silver', table, `batch_id=${b}`, '*.parquet')));
  return `read_parquet([${files.join(', ')}], hive_partitioning = true, hive_types_autocast = false)`;
}

/** The batches of the lake's silver layer that hold files, ascending. */
async function silverBatches(connection: DuckDBConnection, lakeDir: string): Promise<string[]> {
  const rows = await read(
    connection,
    `select distinct regexp_extract(file, 'batch_id=([^/]+)/', 1) as batch_id
     from glob(${lit(path.join(lakeDir, 'silver', '*', '*', '*.parquet'))}) order by 1`,
  );
  return rows.map((r) => String(r.batch_id));
}

async function read(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** Every silver row of the batches, typed for the reference model. */
export async function silverSourceRows(connection: DuckDBConnection, lakeDir: string, batches: readonly string[]): Promise<SourceRows> {
  const rows = {} as Record<SourceTable, unknown[]>;
  for (const table of SOURCE_TABLES) {
    const columns = CONTRACT[table].columns.map((c) => typedColumn(table, c.name)).join(', ');
    const present = await read(connection, `select count(*)::integer as n from glob(${lit(path.join(lakeDir, 'silver', table, '*', '*.parquet'))})`);
    rows[table] = Number(present[0]?.n ?? 0) === 0 ? [] : await read(connection, `select ${columns} from ${silverRelation(lakeDir, table, batches)}`);
  }
  return rows as unknown as SourceRows;
}

/** What makes the lake hard, per table (see LakeFeatures). */
export async function lakeFeatures(connection: DuckDBConnection, lakeDir: string, batches: readonly string[]): Promise<Record<SourceTable, LakeFeatures>> {
  const features = {} as Record<SourceTable, LakeFeatures>;
  for (const table of SOURCE_TABLES) {
    const key = CONTRACT[table].key;
    const eventTime = table === 'payments' ? 'coalesce(updated_at, paid_at)' : 'updated_at';
    const hasDeleted = CONTRACT[table].columns.some((c) => c.name === 'is_deleted');
    await connection.run(
      `create or replace temp view changes as
       select ${key.join(', ')}, ${eventTime} as event_time, row_hash, batch_id, ${hasDeleted ? 'coalesce(is_deleted, false)' : 'false'} as is_deleted
       from ${silverRelation(lakeDir, table, batches)}`,
    );
    const keyList = key.join(', ');
    const sameKey = key.map((c) => `newer.${c} = late.${c}`).join(' and ');
    const [row] = await read(
      connection,
      `select
         (select count(*) from changes)::bigint as rows,
         (select count(*) from (select ${keyList}, batch_id from changes group by all having count(distinct (event_time, row_hash)) > 1))::bigint as several,
         (select count(*) from changes as late
            where exists (select 1 from changes as newer where ${sameKey} and newer.batch_id < late.batch_id and newer.event_time > late.event_time))::bigint as late,
         (select count(*) from (select ${keyList}, event_time from changes group by all having count(distinct row_hash) > 1))::bigint as conflicts,
         (select count(*) from changes where is_deleted)::bigint as deletes`,
    );
    features[table] = {
      rows: Number(row?.rows ?? 0),
      keysChangedSeveralTimesInABatch: Number(row?.several ?? 0),
      lateRows: Number(row?.late ?? 0),
      conflicts: Number(row?.conflicts ?? 0),
      deletes: Number(row?.deletes ?? 0),
    };
  }
  return features;
}

// ---------------------------------------------------------------- rendering the warehouses

const dec = (column: string): string => `cast(${column} as varchar)`;

/** Queries rendering a warehouse's tables in canonical form; `{{ x }}` are the tool's table names. */
interface RenderQueries {
  readonly dimCustomers: string;
  readonly dimProducts: string;
  readonly factOrderItems: string;
  readonly factPayments: string;
}

function renderQueries(schema: string, unknownKey: string | null): RenderQueries {
  const notUnknown = (column: string): string => (unknownKey === null ? '' : `where ${column} <> ${lit(unknownKey)}`);
  return {
    dimCustomers: `select customer_id, email, first_name, last_name, city, state, country, segment, is_inferred, is_deleted,
        ${ts('valid_from')} as valid_from, ${ts('valid_to')} as valid_to, is_current
      from ${schema}.dim_customers ${notUnknown('customer_sk')}`,
    dimProducts: `select product_id, sku, name, category, brand, ${dec('list_price')} as list_price, ${dec('unit_cost')} as unit_cost,
        is_inferred, is_deleted, ${ts('valid_from')} as valid_from, ${ts('valid_to')} as valid_to, is_current
      from ${schema}.dim_products ${notUnknown('product_sk')}`,
    factOrderItems: `select f.order_id, f.line_number::integer as line_number, ${ts('f.order_ts')} as order_ts, f.order_date_key,
        {'customer_id': c.customer_id, 'valid_from': ${ts('c.valid_from')}} as customer,
        {'product_id': p.product_id, 'valid_from': ${ts('p.valid_from')}} as product,
        m.payment_method_code, s.status_code as shipment_status_code, f.order_status, f.quantity::integer as quantity,
        ${dec('f.unit_price')} as unit_price, ${dec('f.discount_amount')} as discount_amount, ${dec('f.gross_revenue')} as gross_revenue,
        ${dec('f.net_revenue')} as net_revenue, ${dec('f.shipping_amount')} as shipping_amount, ${dec('f.unit_cost')} as unit_cost,
        ${dec('f.cost_amount')} as cost_amount, ${dec('f.margin')} as margin
      from ${schema}.fact_order_items f
      left join ${schema}.dim_customers c on c.customer_sk = f.customer_sk
      left join ${schema}.dim_products p on p.product_sk = f.product_sk
      left join ${schema}.dim_payment_methods m on m.payment_method_key = f.payment_method_key
      left join ${schema}.dim_shipment_status s on s.shipment_status_key = f.shipment_status_key`,
    factPayments: `select f.payment_id, f.order_id, ${ts('f.paid_at')} as paid_at, f.payment_date_key, m.payment_method_code,
        {'customer_id': c.customer_id, 'valid_from': ${ts('c.valid_from')}} as customer, ${dec('f.amount')} as amount
      from ${schema}.fact_payments f
      left join ${schema}.dim_customers c on c.customer_sk = f.customer_sk
      left join ${schema}.dim_payment_methods m on m.payment_method_key = f.payment_method_key`,
  };
}

/** The pipeline's `dw` tables, canonical form. */
export const PIPELINE_RENDERING = renderQueries('dw', null);
/** The dbt peer's `marts` tables, canonical form (its unknown members, key '-1', left out of the dimensions). */
export const PEER_RENDERING = renderQueries('marts', '-1');

/** Reads a warehouse file's four compared tables. */
export async function renderWarehouse(dbPath: string, queries: RenderQueries): Promise<RenderedWarehouse> {
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return {
      dimCustomers: (await read(connection, queries.dimCustomers)) as ComparedVersion[],
      dimProducts: (await read(connection, queries.dimProducts)) as ComparedVersion[],
      factOrderItems: await read(connection, queries.factOrderItems),
      factPayments: await read(connection, queries.factPayments),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

// ---------------------------------------------------------------- comparing

// Canonical text of a value for comparison: decimal text with at most 4 places as 4-place text
// (the tools' scales may differ), structs (point-in-time references) with sorted keys.
function canonical(value: unknown): unknown {
  if (typeof value === 'string' && /^-?\d+\.\d{1,4}$/.test(value)) return canonicalDecimal(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value, Object.keys(value as object).sort());
  return value ?? null;
}

function sameRow(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>, columns: readonly string[]): boolean {
  return columns.every((c) => canonical(a[c]) === canonical(b[c]));
}

function differingColumns(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>, columns: readonly string[]): string[] {
  return columns.filter((c) => canonical(a[c]) !== canonical(b[c]));
}

/** Compares a tool's dimension with the reference's, version by version (key, valid_from). */
export function compareDimension(
  expected: readonly Record<string, unknown>[],
  actual: readonly Record<string, unknown>[],
  naturalKey: string,
): DimensionErrors {
  const keyOf = (row: Readonly<Record<string, unknown>>): string => JSON.stringify([row[naturalKey], row.valid_from]);
  const compared = Object.keys(actual[0] ?? expected[0] ?? {}).filter((c) => c !== 'row_hash');
  const actualByKey = new Map(actual.map((row) => [keyOf(row), row]));
  const expectedKeys = new Set(expected.map(keyOf));
  const examples: string[] = [];
  let missing = 0;
  let wrong = 0;
  for (const row of expected) {
    const found = actualByKey.get(keyOf(row));
    if (!found) {
      missing += 1;
      if (examples.length < EXAMPLES) examples.push(`missing ${keyOf(row)}`);
    } else if (!sameRow(row, found, compared)) {
      wrong += 1;
      if (examples.length < EXAMPLES) examples.push(`wrong ${keyOf(row)}: ${differingColumns(row, found, compared).join(', ')}`);
    }
  }
  const extraRows = actual.filter((row) => !expectedKeys.has(keyOf(row)));
  for (const row of extraRows.slice(0, Math.max(0, EXAMPLES - examples.length))) examples.push(`extra ${keyOf(row)}`);
  return { expected: expected.length, actual: actual.length, missing, extra: extraRows.length, wrong, examples };
}

const POINT_IN_TIME_COLUMNS = ['customer', 'product'] as const;

/** Compares a tool's fact table with the reference's, row by row on the grain key. */
export function compareFacts(
  expected: readonly Record<string, unknown>[],
  actual: readonly Record<string, unknown>[],
  grain: readonly string[],
  sameAttributes: (column: string, expectedRef: unknown, actualRef: unknown) => boolean = () => false,
): FactErrors {
  const keyOf = (row: Readonly<Record<string, unknown>>): string => JSON.stringify(grain.map((c) => row[c]));
  const columns = Object.keys(expected[0] ?? actual[0] ?? {});
  const pointInTime = columns.filter((c) => (POINT_IN_TIME_COLUMNS as readonly string[]).includes(c));
  const other = columns.filter((c) => !pointInTime.includes(c));
  const actualByKey = new Map<string, Record<string, unknown>>();
  let duplicated = 0;
  for (const row of actual) {
    if (actualByKey.has(keyOf(row))) duplicated += 1;
    else actualByKey.set(keyOf(row), row);
  }
  const expectedKeys = new Set(expected.map(keyOf));
  const examples: string[] = [];
  let lost = 0;
  let wrongPointInTime = 0;
  let wrongAttributesAtPointInTime = 0;
  let wrongOther = 0;
  for (const row of expected) {
    const found = actualByKey.get(keyOf(row));
    if (!found) {
      lost += 1;
      if (examples.length < EXAMPLES) examples.push(`lost ${keyOf(row)}`);
    } else if (!sameRow(row, found, pointInTime)) {
      wrongPointInTime += 1;
      const diff = pointInTime.filter((c) => canonical(row[c]) !== canonical(found[c]));
      if (diff.some((c) => !sameAttributes(c, row[c], found[c]))) wrongAttributesAtPointInTime += 1;
      if (examples.length < EXAMPLES) {
        examples.push(`point in time ${keyOf(row)}: ${diff.map((c) => `${c} ${String(canonical(found[c]))} instead of ${String(canonical(row[c]))}`).join('; ')}`);
      }
    } else if (!sameRow(row, found, other)) {
      wrongOther += 1;
      if (examples.length < EXAMPLES) examples.push(`wrong ${keyOf(row)}: ${differingColumns(row, found, other).join(', ')}`);
    }
  }
  const extra = [...actualByKey.keys()].filter((key) => !expectedKeys.has(key));
  for (const key of extra.slice(0, Math.max(0, EXAMPLES - examples.length))) examples.push(`extra ${key}`);
  return {
    expected: expected.length,
    actual: actual.length,
    lost,
    duplicated,
    extra: extra.length,
    wrongPointInTime,
    wrongAttributesAtPointInTime,
    wrongOther,
    examples,
  };
}

const VERSION_BOOKKEEPING = new Set(['valid_from', 'valid_to', 'is_current', 'is_inferred', 'row_hash']);

// The attributes (natural key included) of every version, by its point-in-time reference.
function versionAttributes(rows: readonly Record<string, unknown>[], naturalKey: string): Map<string, string> {
  return new Map(
    rows.map((row) => [
      JSON.stringify([row[naturalKey], row.valid_from]),
      JSON.stringify(Object.entries(row).filter(([c]) => !VERSION_BOOKKEEPING.has(c)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => canonical(v))),
    ]),
  );
}

/** Every compared table of a rendered warehouse against the reference. */
export function compareWarehouse(reference: Omit<ReferenceWarehouse, 'waiting'>, rendered: RenderedWarehouse): ToolCorrectness {
  const withoutHash = (rows: readonly object[]): Record<string, unknown>[] =>
    rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => column !== 'row_hash')));
  const dims = {
    customer: { key: 'customer_id', expected: withoutHash(reference.dimCustomers), actual: rendered.dimCustomers },
    product: { key: 'product_id', expected: withoutHash(reference.dimProducts), actual: rendered.dimProducts },
  };
  const attributes = Object.fromEntries(
    Object.entries(dims).map(([column, d]) => [column, { expected: versionAttributes(d.expected, d.key), actual: versionAttributes(d.actual, d.key) }]),
  );
  // Do the two versions a fact points at carry the same attributes? An unknown member never does.
  const sameAttributes = (column: string, expectedRef: unknown, actualRef: unknown): boolean => {
    const ref = (value: unknown): string => {
      const r = value as Record<string, unknown> | null;
      return JSON.stringify([r?.[`${column}_id`] ?? null, r?.valid_from ?? null]);
    };
    const wanted = attributes[column]?.expected.get(ref(expectedRef));
    return wanted !== undefined && wanted === attributes[column]?.actual.get(ref(actualRef));
  };
  return {
    dimCustomers: compareDimension(dims.customer.expected, dims.customer.actual, dims.customer.key),
    dimProducts: compareDimension(dims.product.expected, dims.product.actual, dims.product.key),
    factOrderItems: compareFacts(
      reference.factOrderItems as unknown as Record<string, unknown>[],
      rendered.factOrderItems,
      ['order_id', 'line_number'],
      sameAttributes,
    ),
    factPayments: compareFacts(reference.factPayments as unknown as Record<string, unknown>[], rendered.factPayments, ['payment_id'], sameAttributes),
  };
}

/** Total wrong rows of a tool, every kind counted. */
export function wrongRows(c: ToolCorrectness): number {
  const dims = [c.dimCustomers, c.dimProducts].reduce((sum, d) => sum + d.missing + d.extra + d.wrong, 0);
  const facts = [c.factOrderItems, c.factPayments].reduce((sum, f) => sum + f.lost + f.duplicated + f.extra + f.wrongPointInTime + f.wrongOther, 0);
  return dims + facts;
}

export type { CustomerVersionRef, ProductVersionRef };

/**
 * Runs the reference model on the lake's silver rows and compares both
 * warehouses with it. `peerDb` null: the pipeline alone.
 */
export async function checkCorrectness(lakeDir: string, pipelineDb: string, peerDb: string | null): Promise<Omit<CorrectnessResult, 'maxRssBytes'>> {
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let rows: SourceRows;
  let batches: string[];
  let features: Record<SourceTable, LakeFeatures>;
  try {
    batches = await silverBatches(connection, lakeDir);
    features = await lakeFeatures(connection, lakeDir, batches);
    rows = await silverSourceRows(connection, lakeDir, batches);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const referenceStarted = performance.now();
  const { waiting: _waiting, ...reference } = referenceWarehouse(rows);
  const referenceSeconds = (performance.now() - referenceStarted) / 1000;
  const silverRows = SOURCE_TABLES.reduce((sum, t) => sum + rows[t].length, 0);
  const pipeline = compareWarehouse(reference, await renderWarehouse(pipelineDb, PIPELINE_RENDERING));
  const peer = peerDb === null ? null : compareWarehouse(reference, await renderWarehouse(peerDb, PEER_RENDERING));
  return {
    kind: 'correctness',
    seconds: (performance.now() - started) / 1000,
    lakeDir,
    batches,
    silverRows,
    referenceSeconds,
    features,
    pipeline,
    peer,
  };
}
