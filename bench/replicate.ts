/**
 * Builds a larger history from a warehouse by adding cold copies of it: every
 * history, dimension, fact and audit row again, with its natural keys, batch
 * ids and run ids marked with the copy's number and its surrogate keys recomputed. The
 * copies are a warehouse for customers, products and orders the measured
 * batch never touches, so histories built this way differ only in size.
 * Timestamps are copied as they are (no step of the pipeline prunes by time), so
 * each copy's orders fall on the same days as the originals: the published daily
 * figures (per date, not per key) are multiplied by the number of copies plus one,
 * which is what loading the copies would have published. The restatement ledger
 * (audit.restatements and its causes) is the original's, not scaled: nothing
 * reconciles it with the facts.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { renderSql } from '../functions/core/sql/render.js';

/** Tables whose rows make up the history, in the order they are copied. */
export const HISTORY_TABLES = [
  'history.customer_changes',
  'history.product_changes',
  'history.orders',
  'history.order_items',
  'history.payments',
  'history.shipments',
  'dw.dim_customers',
  'dw.dim_products',
  'dw.fact_order_items',
  'dw.fact_payments',
  'dw.fact_order_fulfillment',
  // what the reports know, load by load: BuildMarts reads the batch's rows of these
  'known.customers',
  'known.products',
  'known.order_items',
  'known.payments',
  'known.orders',
  'audit.batches',
  'audit.table_loads',
  'audit.runs',
  'audit.test_results',
  'audit.metrics',
  'audit.warnings',
] as const;

// Natural keys are marked with the copy's number; batch and run ids too, in a
// form that stays a valid batch id.
const MARKED = new Set(['customer_id', 'product_id', 'order_id', 'payment_id', 'shipment_id', 'natural_key']);
const LEDGER_IDS = new Set(['batch_id', 'run_id']);

const surrogateKey = (key: string, validFrom: string): string => renderSql(`{{ surrogate_key(${key}, ${validFrom}) }}`, 'duckdb');

/**
 * How the copies' keys relate to the hot ones: `older` sort before every hot key
 * (a shop numbering its orders, customers and products sequentially, as the
 * generator does: a longer history is one of smaller ids), `interleaved` sort
 * among them (keys with no order, e.g. UUIDs).
 */
export const COLD_KEYS = ['older', 'interleaved'] as const;
export type ColdKeys = (typeof COLD_KEYS)[number];

/** Adds `copies` cold copies of the history to the warehouse file at dbPath (in place). */
export async function replicateHistory(dbPath: string, copies: number, coldKeys: ColdKeys = 'older'): Promise<void> {
  const mark = coldKeyMark(coldKeys);
  // The copies are stored compressed (DuckDB's choice, as `--compression auto` writes),
  // the history they copy as the pipeline wrote it: uncompressed, a scale-10 10x
  // history would be ~40 GB, and each measured run works on a copy of it.
  const instance = await DuckDBInstance.create(dbPath);
  const connection = await instance.connect();
  try {
    // no transaction: a failed build is thrown away whole
    // Surrogate keys of the copies: the same function of (natural key, valid_from) as
    // the pipeline's, computed once per dimension version and copy (md5 is the cost).
    await connection.run(`create temp table copy_numbers as select range as k from range(1, ${copies + 1})`);
    for (const entity of ['customer', 'product']) {
      await connection.run(
        `create temp table ${entity}_sk_map as
         select dims.${entity}_sk as old_sk, copy_numbers.k,
             ${surrogateKey(mark(`dims.${entity}_id`, 'copy_numbers.k'), 'dims.valid_from')} as new_sk
         from dw.dim_${entity}s as dims cross join copy_numbers`,
      );
    }
    for (const table of HISTORY_TABLES) {
      const columns = await columnsOf(connection, table);
      const hot = `hot_${table.replace('.', '_')}`;
      await connection.run(`create temp table ${hot} as select * from ${table}`);
      await connection.run(`delete from ${table}`);
      // The copies first, the original (hot) rows last, as a longer history would lie on disk.
      for (let k = 1; k <= copies; k += 1) {
        await connection.run(`insert into ${table} (${columns.join(', ')}) ${copyQuery(hot, columns, k, mark)}`);
      }
      await connection.run(`insert into ${table} select * from ${hot}`);
      await connection.run(`drop table ${hot}`);
    }
    // Every version of every figure: the copies' facts add the same amounts to the same days.
    await connection.run(`update known.daily_figures set figure_value = figure_value * ${copies + 1}`);
    await connection.run('checkpoint');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function columnsOf(connection: DuckDBConnection, table: string): Promise<string[]> {
  const [schema, name] = table.split('.');
  const reader = await connection.runAndReadAll(
    `select column_name from information_schema.columns where table_schema = '${schema}' and table_name = '${name}' order by ordinal_position`,
  );
  return reader.getRowObjectsJson().map((r) => String(r.column_name));
}

type KeyMark = (column: string, k: string) => string;

// '!' sorts before every letter and digit: '!c3~O000123' < 'O000001'.
function coldKeyMark(coldKeys: ColdKeys): KeyMark {
  return coldKeys === 'older' ? (column, k) => `'!c' || ${k} || '~' || ${column}` : (column, k) => `${column} || '~c' || ${k}`;
}

function copyQuery(hot: string, columns: readonly string[], k: number, mark: KeyMark): string {
  const joins: string[] = [];
  const select = columns.map((column) => {
    for (const [sk, alias] of [['customer_sk', 'cm'], ['product_sk', 'pm']] as const) {
      if (column !== sk) continue;
      joins.push(`inner join ${sk.replace('_sk', '')}_sk_map as ${alias} on ${alias}.old_sk = src.${sk} and ${alias}.k = ${k}`);
      return `${alias}.new_sk as ${sk}`;
    }
    if (MARKED.has(column)) return `${mark(`src.${column}`, String(k))} as ${column}`;
    if (LEDGER_IDS.has(column)) return `'c${k}-' || src.${column} as ${column}`;
    return `src.${column}`;
  });
  return `select ${select.join(', ')} from ${hot} as src ${joins.join(' ')}`;
}
