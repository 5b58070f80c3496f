import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, SOURCE_TABLES, type SourceTable } from '../functions/core/contract.js';
import { ConfigError } from '../functions/core/errors.js';
import { generateLake, type GenerateOptions, type GenerateSummary } from '../generator/generateLake.js';

// The checks below read the generated files with DuckDB: they are an
// independent look at the lake, not a read-back of the generator's summary.

const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const DECIMAL = '[+-]?([0-9]{1,14}([.][0-9]{0,4})?|[.][0-9]{1,4})';
const INTEGER = '[+-]?[0-9]{1,18}';
const BOOLEAN_WORDS = "('true', 't', '1', 'yes', 'y', 'false', 'f', '0', 'no', 'n')";
const CANONICAL_CODES: Record<string, string[]> = {
  order_status: ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'],
  payment_method: ['credit_card', 'debit_card', 'paypal', 'bank_transfer', 'gift_card', 'voucher', 'cash_on_delivery'],
  shipment_status: ['pending', 'label_created', 'shipped', 'in_transit', 'out_for_delivery', 'delivered', 'returned', 'lost', 'cancelled'],
  segment: ['consumer', 'corporate', 'small_business'],
};

const temporaryDirs: string[] = [];
function temporaryDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-generator-'));
  temporaryDirs.push(dir);
  return dir;
}

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((entry) => statSync(path.join(root, entry)).isFile())
    .map((entry) => entry.split(path.sep).join('/'))
    .sort();
}

function fileHashes(root: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(root).map((file) => [file, createHash('sha256').update(readFileSync(path.join(root, file))).digest('hex')]),
  );
}

function lit(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

async function count(connection: DuckDBConnection, sql: string): Promise<number> {
  const result = await rows(connection, `select count(*)::integer as n from (${sql})`);
  return Number(result[0]?.n ?? 0);
}

/** Loads a CSV lake's files into one table per source table (every column as text, plus batch_id and filename). */
async function openCsvLake(connection: DuckDBConnection, out: string): Promise<void> {
  for (const table of SOURCE_TABLES) {
    await connection.run(
      `create or replace table ${table} as
       select * from read_csv(${lit(`${out}/raw/${table}/*/*.csv`)},
         header = true, all_varchar = true, union_by_name = true, filename = true, hive_partitioning = true)`,
    );
  }
}

/** The header of every CSV file of a lake. */
function csvHeaders(out: string): { file: string; table: SourceTable; columns: string[] }[] {
  return listFiles(path.join(out, 'raw'))
    .filter((file) => file.endsWith('.csv'))
    .map((file) => {
      const firstLine = readFileSync(path.join(out, 'raw', file), 'utf8').split('\n')[0] ?? '';
      return { file, table: file.split('/')[0] as SourceTable, columns: firstLine.split(',') };
    });
}

const baseOptions = { scale: 0.03, days: 7, seed: 7, format: 'csv', startDate: '2024-01-01' } as const;

describe('Generating a sample lake', () => {
  let out: string;
  let summary: GenerateSummary;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const progress: string[] = [];

  beforeAll(async () => {
    out = temporaryDir();
    summary = await generateLake({ ...baseOptions, out, onProgress: (message) => progress.push(message) });
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await openCsvLake(connection, out);
  });

  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
    for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('layout', () => {
    it('writes one batch folder per day under raw/<table>/batch_id=<YYYY-MM-DD>, and nothing else there', () => {
      // Prepare
      const expectedBatches = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07'];

      // Act
      const files = listFiles(path.join(out, 'raw'));

      // Assess
      expect(summary.batches).toEqual(expectedBatches);
      expect(readdirSync(path.join(out, 'raw')).sort()).toEqual([...SOURCE_TABLES].sort());
      for (const file of files) {
        expect(file).toMatch(/^[a-z_]+\/batch_id=\d{4}-\d{2}-\d{2}\/part-\d{3}\.(csv|jsonl|parquet)$/);
        expect(expectedBatches).toContain(file.split('/')[1]?.slice('batch_id='.length));
      }
      for (const table of ['customers', 'orders', 'order_items', 'payments', 'shipments']) {
        const batches = new Set(files.filter((f) => f.startsWith(`${table}/`)).map((f) => f.split('/')[1]));
        expect(batches.size, table).toBe(expectedBatches.length);
      }
      expect(summary.files).toBe(files.length);
      expect(readdirSync(out).sort()).toEqual(['generator-summary.json', 'raw']);
    });

    it('reports one progress line per table and a summary whose row counts match the files', async () => {
      // Act
      const counted: Record<string, number> = {};
      for (const table of SOURCE_TABLES) counted[table] = await count(connection, `select * from ${table}`);
      const written = JSON.parse(readFileSync(path.join(out, 'generator-summary.json'), 'utf8')) as { rowsByTable: unknown };

      // Assess
      expect(progress).toHaveLength(SOURCE_TABLES.length);
      SOURCE_TABLES.forEach((table, i) => expect(progress[i]).toMatch(new RegExp(`^${table}: \\d+ rows in \\d+ files`)));
      expect(summary.rowsByTable).toEqual(counted);
      expect(written.rowsByTable).toEqual(counted);
      expect(summary.seconds).toBeGreaterThan(0);
    });

    it('sizes the lake from the scale: about 300 customers, 30 products and 3,000 orders at scale 0.03', async () => {
      // Act
      const customers = await count(connection, 'select distinct customer_id from customers where customer_id is not null');
      const products = await count(connection, 'select distinct product_id from products where product_id is not null');
      const orders = await count(connection, 'select distinct order_id from orders where order_id is not null');
      const items = await count(connection, 'select distinct order_id, line_number from order_items where order_id is not null');

      // Assess
      expect(customers).toBe(300);
      expect(products).toBe(30);
      expect(orders).toBe(3000);
      expect(items / orders).toBeGreaterThan(2.2);
      expect(items / orders).toBeLessThan(2.8);
    });

    it('spreads the orders over the days', async () => {
      // Act
      const perDay = await rows(
        connection,
        `select cast(try_cast(order_ts as timestamptz) as date)::varchar as day, count(distinct order_id)::integer as n
         from orders where try_cast(order_ts as timestamptz) is not null group by all order by day`,
      );

      // Assess
      expect(perDay).toHaveLength(baseOptions.days);
      for (const day of perDay) expect(Number(day.n)).toBeGreaterThan(3000 / baseOptions.days / 2);
    });
  });

  describe('what real feeds do', () => {
    it('sends customer and product attribute changes as new rows with a later updated_at', async () => {
      // Act
      const moved = await count(
        connection,
        `select customer_id from customers where try_cast(updated_at as timestamptz) is not null
         group by customer_id having count(distinct city) > 1 and count(distinct updated_at) > 1`,
      );
      const resegmented = await count(
        connection,
        `select customer_id from customers where try_cast(updated_at as timestamptz) is not null
         group by customer_id having count(distinct lower(trim(segment))) > 1`,
      );
      const repriced = await count(
        connection,
        `select product_id from products where regexp_full_match(list_price, '${DECIMAL}')
         group by product_id having count(distinct list_price) > 1`,
      );
      const recosted = await count(
        connection,
        `select product_id from products group by product_id having count(distinct unit_cost) > 1`,
      );

      // Assess
      expect(moved).toBeGreaterThan(0);
      expect(resegmented).toBeGreaterThan(0);
      expect(repriced).toBeGreaterThan(0);
      expect(recosted).toBeGreaterThan(0);
    });

    it.each(['customers', 'products'] as const)(
      'sends some %s changes late: in a batch after a newer row of the same key',
      async (table) => {
        // Prepare
        const key = CONTRACT[table].key[0] ?? '';

        // Act
        const late = await count(
          connection,
          `with changes as (
             select ${key} as entity_key, batch_id, try_cast(updated_at as timestamptz) as updated_at
             from ${table} where try_cast(updated_at as timestamptz) is not null and ${key} is not null
           )
           select later.entity_key from changes as later
           inner join changes as earlier
             on earlier.entity_key = later.entity_key
             and earlier.batch_id < later.batch_id
             and earlier.updated_at > later.updated_at`,
        );

        // Assess
        expect(late).toBeGreaterThan(0);
      },
    );

    it.each(SOURCE_TABLES.filter((t) => t !== 'products'))(
      'sends exact duplicate %s rows, in the same batch and again in a later batch',
      async (table) => {
        // Prepare
        const columns = CONTRACT[table].columns.map((c) => c.name).join(', ');

        // Act
        const inBatch = await count(connection, `select ${columns}, batch_id from ${table} group by all having count(*) > 1`);
        const acrossBatches = await count(
          connection,
          `select ${columns} from ${table} group by all having count(distinct batch_id) > 1`,
        );

        // Assess
        expect(inBatch).toBeGreaterThan(0);
        expect(acrossBatches).toBeGreaterThan(0);
      },
    );

    it('sends conflicting rows: the same key and updated_at with other attributes', async () => {
      // Act
      const customers = await count(
        connection,
        `select customer_id, try_cast(updated_at as timestamptz) from customers
         where try_cast(updated_at as timestamptz) is not null and customer_id is not null
         group by all having count(distinct [city, lower(trim(segment))]) > 1`,
      );
      const products = await count(
        connection,
        `select product_id, try_cast(updated_at as timestamptz) from products
         where try_cast(updated_at as timestamptz) is not null and product_id is not null
         group by all having count(distinct [list_price, unit_cost]) > 1`,
      );

      // Assess
      expect(customers + products).toBeGreaterThan(0);
      expect(customers).toBeGreaterThan(0);
    });

    it.each(['customers', 'products', 'order_items'] as const)('deletes some %s (is_deleted true, 1 or TRUE)', async (table) => {
      // Act
      const deleted = await count(connection, `select * from ${table} where lower(trim(is_deleted)) in ('true', '1')`);

      // Assess
      expect(deleted).toBeGreaterThan(0);
    });

    it('sends order status updates: the same order_id again with a later updated_at and a new status', async () => {
      // Act
      const updated = await count(
        connection,
        `select order_id from orders where try_cast(updated_at as timestamptz) is not null and order_id is not null
         group by order_id having count(distinct lower(trim(status))) > 1 and count(distinct try_cast(updated_at as timestamptz)) > 1`,
      );

      // Assess
      expect(updated).toBeGreaterThan(100);
    });

    it.each(['order_items', 'payments', 'shipments'] as const)(
      'sends some %s before their order, which arrives in a later batch',
      async (table) => {
        // Act
        const early = await count(
          connection,
          `with first_order_batch as (
             select order_id, min(batch_id) as batch_id from orders where order_id is not null group by order_id
           )
           select facts.order_id from ${table} as facts
           inner join first_order_batch on first_order_batch.order_id = facts.order_id
           where facts.batch_id < first_order_batch.batch_id`,
        );

        // Assess
        expect(early).toBeGreaterThan(0);
      },
    );

    it('references customers and products that arrive in a later batch, and a few that never arrive', async () => {
      // Act
      const customersLater = await count(
        connection,
        `with first_customer_batch as (select customer_id, min(batch_id) as batch_id from customers group by customer_id)
         select orders.order_id from orders
         inner join first_customer_batch on first_customer_batch.customer_id = orders.customer_id
         where orders.batch_id < first_customer_batch.batch_id`,
      );
      const customersNever = await count(
        connection,
        `select order_id from orders where customer_id is not null
         and customer_id not in (select customer_id from customers where customer_id is not null)`,
      );
      const productsLater = await count(
        connection,
        `with first_product_batch as (select product_id, min(batch_id) as batch_id from products group by product_id)
         select order_items.order_id from order_items
         inner join first_product_batch on first_product_batch.product_id = order_items.product_id
         where order_items.batch_id < first_product_batch.batch_id`,
      );
      const productsNever = await count(
        connection,
        `select order_id from order_items where product_id is not null
         and product_id not in (select product_id from products where product_id is not null)`,
      );
      const orders = await count(connection, 'select * from orders');

      // Assess
      expect(customersLater).toBeGreaterThan(0);
      expect(customersNever).toBeGreaterThan(0);
      expect(productsLater).toBeGreaterThan(0);
      expect(productsNever).toBeGreaterThan(0);
      expect(customersNever / orders).toBeLessThan(0.01);
    });

    it('splits some orders into two payments', async () => {
      // Act
      const split = await count(
        connection,
        'select order_id from payments where payment_id is not null group by order_id having count(distinct payment_id) = 2',
      );
      const paid = await count(connection, 'select distinct order_id from payments');

      // Assess
      expect(split).toBeGreaterThan(0);
      expect(split / paid).toBeLessThan(0.2);
    });
  });

  describe('vocabulary', () => {
    const vocabularyColumns = [
      { domain: 'order_status', table: 'orders', column: 'status', unseen: 'on_hold' },
      { domain: 'payment_method', table: 'payments', column: 'payment_method', unseen: 'boleto' },
      { domain: 'shipment_status', table: 'shipments', column: 'status', unseen: 'on_hold' },
      { domain: 'segment', table: 'customers', column: 'segment', unseen: 'vip' },
    ] as const;

    it.each(vocabularyColumns)(
      'sends $column of $table mostly canonical, with seed synonyms in odd case or spacing and the unseen code $unseen',
      async ({ domain, table, column, unseen }) => {
        // Prepare
        const seeds = path.join(REPO_ROOT, 'sql/seeds/vocabulary_synonyms.csv');
        const canonical = CANONICAL_CODES[domain] ?? [];
        const codes = `select ${column} as code from ${table} where ${column} is not null`;

        // Act
        const total = await count(connection, codes);
        const exact = await count(connection, `${codes} and ${column} in (${canonical.map(lit).join(', ')})`);
        const synonyms = await count(
          connection,
          `${codes} and lower(trim(${column})) in (
             select code from read_csv(${lit(seeds)}, header = true, all_varchar = true) where domain = ${lit(domain)})`,
        );
        const oddlyWritten = await count(connection, `${codes} and ${column} <> lower(trim(${column}))`);
        const unseenCount = await count(connection, `${codes} and lower(trim(${column})) = ${lit(unseen)}`);
        const unexplained = await rows(
          connection,
          `select distinct lower(trim(${column})) as code from ${table} where ${column} is not null
           except select unnest([${[...canonical, unseen].map(lit).join(', ')}])
           except select code from read_csv(${lit(seeds)}, header = true, all_varchar = true) where domain = ${lit(domain)}`,
        );

        // Assess
        expect(exact / total).toBeGreaterThan(0.85);
        expect(synonyms).toBeGreaterThan(0);
        expect(oddlyWritten).toBeGreaterThan(0);
        expect(unseenCount).toBeGreaterThan(0);
        expect(unexplained).toEqual([]);
      },
    );

    it('sends the synonyms in odd case and with stray whitespace', async () => {
      // Act
      const upperCase = await count(connection, "select * from payments where payment_method = upper(payment_method)");
      const padded = await count(
        connection,
        `select status from orders where status <> trim(status)
         union all select status from shipments where status <> trim(status)`,
      );

      // Assess
      expect(upperCase).toBeGreaterThan(0);
      expect(padded).toBeGreaterThan(0);
    });
  });

  describe('invalid rows and files', () => {
    // One condition per SPEC section 2 rejection rule, built from the contract.
    function ruleConditions(table: SourceTable): Record<string, string | null> {
      const spec = CONTRACT[table];
      const present = (c: string): string => `nullif(trim(${c}), '') is not null`;
      const columns = spec.columns;
      const any = (conditions: string[]): string | null => (conditions.length > 0 ? conditions.map((c) => `(${c})`).join(' or ') : null);
      const number = (c: string): string => `try_cast(case when regexp_full_match(trim(${c}), '${DECIMAL}') then trim(${c}) end as decimal(18, 4))`;
      const has = (c: string): boolean => columns.some((col) => col.name === c);
      return {
        unparseable_number: any(
          columns
            .filter((c) => c.kind === 'decimal' || c.kind === 'integer')
            .map((c) => `${present(c.name)} and not regexp_full_match(trim(${c.name}), '${c.kind === 'decimal' ? DECIMAL : INTEGER}')`),
        ),
        unparseable_timestamp: any(
          columns.filter((c) => c.kind === 'timestamp').map((c) => `${present(c.name)} and try_cast(trim(${c.name}) as timestamptz) is null`),
        ),
        unparseable_boolean: any(
          columns.filter((c) => c.kind === 'boolean').map((c) => `${present(c.name)} and lower(trim(${c.name})) not in ${BOOLEAN_WORDS}`),
        ),
        missing_key: any(spec.key.map((k) => `not ${present(k)}`)),
        missing_required_value: any(
          columns.filter((c) => c.required && !spec.key.includes(c.name)).map((c) => `not ${present(c.name)}`),
        ),
        negative_quantity: has('quantity') ? `${number('quantity')} < 0` : null,
        zero_quantity: has('quantity') ? `${number('quantity')} = 0` : null,
        negative_unit_price: has('unit_price') ? `${number('unit_price')} < 0` : null,
        negative_amount: has('amount') ? `${number('amount')} < 0` : null,
        negative_shipping_amount: has('shipping_amount') ? `${number('shipping_amount')} < 0` : null,
        discount_exceeds_gross: has('discount_amount')
          ? `${number('discount_amount')} > ${number('quantity')} * ${number('unit_price')}`
          : null,
      };
    }

    it('plants rows that break every rejection rule of the contract, about 0.5% of all rows', async () => {
      // Prepare: the file without a required column is quarantined whole, not row by row
      const headers = csvHeaders(out);
      const incomplete = headers
        .filter((h) => CONTRACT[h.table].columns.some((c) => c.required && !h.columns.map((x) => x.toLowerCase()).includes(c.name)))
        .map((h) => `${out}/raw/${h.file}`);
      const notIncomplete = incomplete.length > 0 ? `filename not in (${incomplete.map(lit).join(', ')})` : 'true';

      // Act
      const found: Record<string, number> = {};
      let invalid = 0;
      let total = 0;
      for (const table of SOURCE_TABLES) {
        const conditions = Object.entries(ruleConditions(table)).filter((e): e is [string, string] => e[1] !== null);
        for (const [rule, condition] of conditions) {
          found[rule] = (found[rule] ?? 0) + (await count(connection, `select * from ${table} where ${notIncomplete} and (${condition})`));
        }
        invalid += await count(
          connection,
          `select * from ${table} where ${notIncomplete} and (${conditions.map(([, c]) => `(${c})`).join(' or ')})`,
        );
        total += await count(connection, `select * from ${table}`);
      }

      // Assess
      expect(Object.keys(found).sort()).toEqual([
        'discount_exceeds_gross',
        'missing_key',
        'missing_required_value',
        'negative_amount',
        'negative_quantity',
        'negative_shipping_amount',
        'negative_unit_price',
        'unparseable_boolean',
        'unparseable_number',
        'unparseable_timestamp',
        'zero_quantity',
      ]);
      for (const [rule, n] of Object.entries(found)) expect(n, rule).toBeGreaterThan(0);
      expect(invalid / total).toBeGreaterThan(0.002);
      expect(invalid / total).toBeLessThan(0.015);
      expect(invalid).toBe(Object.values(summary.invalidRowsByTable).reduce((a, b) => a + b, 0));
    });

    it('writes exactly one file that cannot be parsed at all', async () => {
      // Prepare
      const files = listFiles(path.join(out, 'raw'));
      const reader = (file: string): string => {
        const absolute = lit(path.join(out, 'raw', file));
        if (file.endsWith('.csv')) return `read_csv(${absolute}, header = true, all_varchar = true)`;
        if (file.endsWith('.jsonl')) return `read_ndjson_objects(${absolute})`;
        return `read_parquet(${absolute})`;
      };

      // Act
      const unreadable: string[] = [];
      for (const file of files) {
        try {
          await rows(connection, `select count(*) from ${reader(file)}`);
        } catch {
          unreadable.push(`raw/${file}`);
        }
      }

      // Assess
      expect(unreadable).toEqual(summary.malformedFiles);
      expect(unreadable).toHaveLength(1);
    });

    it('drifts the schema: an extra column, omitted optional columns, upper-case names and one file without a required column', () => {
      // Act
      const headers = csvHeaders(out);
      const withExtra = headers.filter((h) => h.columns.some((c) => !CONTRACT[h.table].columns.some((x) => x.name === c.toLowerCase())));
      const withoutOptional = headers.filter((h) =>
        CONTRACT[h.table].columns.some((c) => !c.required && !h.columns.map((x) => x.toLowerCase()).includes(c.name)),
      );
      const upperCase = headers.filter((h) => h.columns.every((c) => c === c.toUpperCase()));
      const withoutRequired = headers.filter((h) =>
        CONTRACT[h.table].columns.some((c) => c.required && !h.columns.map((x) => x.toLowerCase()).includes(c.name)),
      );

      // Assess
      expect(withExtra.map((h) => h.columns.at(-1))).toEqual(expect.arrayContaining(['loyalty_tier', 'tracking_number']));
      expect(withoutOptional.map((h) => h.table)).toEqual(expect.arrayContaining(['orders', 'payments']));
      expect(upperCase.map((h) => h.table)).toEqual(['orders']);
      expect(withoutRequired).toHaveLength(1);
      expect(withoutRequired[0]?.table).toBe('order_items');
      expect(withoutRequired[0]?.columns).not.toContain('unit_price');
      expect(summary.missingRequiredColumnFiles).toEqual(withoutRequired.map((h) => `raw/${h.file}`));
    });
  });

  describe('value formats', () => {
    it('writes ISO-8601 timestamps, mostly without offset, some with Z or +02:00', async () => {
      // Act
      const styles = await rows(
        connection,
        `select
           count(*) filter (where regexp_full_match(updated_at, '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}'))::integer as naive,
           count(*) filter (where regexp_full_match(updated_at, '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z'))::integer as utc,
           count(*) filter (where regexp_full_match(updated_at, '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}[+]02:00'))::integer as offset,
           count(*)::integer as total
         from shipments`,
      );
      const s = styles[0] ?? {};

      // Assess
      expect(Number(s.naive) / Number(s.total)).toBeGreaterThan(0.7);
      expect(Number(s.utc)).toBeGreaterThan(0);
      expect(Number(s.offset)).toBeGreaterThan(0);
    });

    it('writes amounts with two decimals, quantities as integers and booleans in several spellings', async () => {
      // Act
      const amounts = await rows(
        connection,
        `select count(*) filter (where not regexp_full_match(amount, '-?[0-9]+[.][0-9]{2}'))::integer as odd, count(*)::integer as total
         from payments where amount is not null`,
      );
      const quantities = await count(connection, "select * from order_items where regexp_full_match(quantity, '[1-9][0-9]*')");
      const spellings = await rows(
        connection,
        `select distinct is_deleted as spelling from customers where lower(is_deleted) in ('true', 'false', '1', '0')
         union select distinct is_deleted from order_items where lower(is_deleted) in ('true', 'false', '1', '0')
         union select distinct is_deleted from products where lower(is_deleted) in ('true', 'false', '1', '0')`,
      );

      // Assess
      expect(Number(amounts[0]?.odd) / Number(amounts[0]?.total)).toBeLessThan(0.01);
      expect(quantities).toBeGreaterThan(0);
      expect(spellings.map((s) => s.spelling)).toEqual(expect.arrayContaining(['true', 'false', '1', '0', 'TRUE']));
    });
  });

  describe('determinism', () => {
    it.each(['csv', 'jsonl', 'parquet', 'mixed'] as const)(
      'writes byte-identical files for the same arguments (%s)',
      async (format) => {
        // Prepare
        const options = { scale: 0.01, days: 4, seed: 11, format, startDate: '2024-01-01' };
        const first = temporaryDir();
        const second = temporaryDir();

        // Act
        await generateLake({ ...options, out: first });
        await generateLake({ ...options, out: second });

        // Assess
        const firstHashes = fileHashes(first);
        expect(Object.keys(firstHashes).length).toBeGreaterThan(20);
        expect(fileHashes(second)).toEqual(firstHashes);
      },
    );

    it('writes the same rows in every format', async () => {
      // Prepare
      const options = { scale: 0.01, days: 3, seed: 13 };
      const dirs = { csv: temporaryDir(), jsonl: temporaryDir(), parquet: temporaryDir() };
      for (const [format, dir] of Object.entries(dirs)) {
        await generateLake({ ...options, format: format as 'csv' | 'jsonl' | 'parquet', out: dir });
      }

      // Act
      const differences: Record<string, number> = {};
      for (const table of SOURCE_TABLES) {
        const names = CONTRACT[table].columns.map((c) => c.name);
        // part-002 is the malformed file; JSON keys are case-sensitive, and one file's are upper case
        const select = (format: keyof typeof dirs): string => {
          const glob = `${dirs[format]}/raw/${table}/*/part-00[01].${format}`;
          if (format === 'jsonl') {
            const columns = names.map((c) => `coalesce(json ->> ${lit(c)}, json ->> ${lit(c.toUpperCase())}) as ${c}`);
            return `select ${columns.join(', ')} from read_ndjson_objects(${lit(glob)})`;
          }
          const reader =
            format === 'csv'
              ? `read_csv(${lit(glob)}, header = true, all_varchar = true, union_by_name = true)`
              : `read_parquet(${lit(glob)}, union_by_name = true)`;
          return `select ${names.map((c) => `cast(${c} as varchar) as ${c}`).join(', ')} from ${reader}`;
        };
        for (const format of ['jsonl', 'parquet'] as const) {
          differences[`${table} ${format}`] = await count(
            connection,
            `(${select('csv')} except all ${select(format)}) union all (${select(format)} except all ${select('csv')})`,
          );
        }
      }

      // Assess
      for (const [name, n] of Object.entries(differences)) expect(n, name).toBe(0);
    });

    it('writes other data for another seed', async () => {
      // Prepare
      const first = temporaryDir();
      const second = temporaryDir();

      // Act
      await generateLake({ scale: 0.01, days: 2, seed: 1, format: 'csv', out: first, startDate: '2024-01-01' });
      await generateLake({ scale: 0.01, days: 2, seed: 2, format: 'csv', out: second, startDate: '2024-01-01' });

      // Assess
      const file = 'raw/customers/batch_id=2024-01-01/part-000.csv';
      expect(readFileSync(path.join(first, file), 'utf8')).not.toBe(readFileSync(path.join(second, file), 'utf8'));
    });

    it('rotates the three formats over tables and batches in mixed mode', async () => {
      // Prepare
      const dir = temporaryDir();

      // Act
      const result = await generateLake({ scale: 0.01, days: 3, seed: 3, format: 'mixed', out: dir, startDate: '2025-02-27' });
      const mainFiles = listFiles(path.join(dir, 'raw')).filter((f) => /\/part-000\./.test(f));
      const perTable = new Map<string, Set<string>>();
      for (const file of mainFiles) {
        const table = file.split('/')[0] ?? '';
        perTable.set(table, (perTable.get(table) ?? new Set()).add(path.extname(file)));
      }

      // Assess
      expect(result.batches).toEqual(['2025-02-27', '2025-02-28', '2025-03-01']);
      expect([...new Set(mainFiles.map((f) => path.extname(f)))].sort()).toEqual(['.csv', '.jsonl', '.parquet']);
      for (const table of ['customers', 'orders', 'order_items', 'payments', 'shipments']) {
        expect(perTable.get(table)?.size, table).toBe(3);
      }
    });
  });

  it('grows linearly with the scale: twice the scale, about twice the rows', async () => {
    // Prepare
    const small = temporaryDir();
    const large = temporaryDir();
    await generateLake({ scale: 0.02, days: 5, seed: 5, format: 'csv', out: small });
    await generateLake({ scale: 0.04, days: 5, seed: 5, format: 'csv', out: large });

    // Act: no value holds a line break, so a CSV file's rows are its lines after the header
    const rowsPerTable = (dir: string): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const file of listFiles(path.join(dir, 'raw')).filter((f) => f.endsWith('.csv'))) {
        const table = file.split('/')[0] ?? '';
        const lines = readFileSync(path.join(dir, 'raw', file), 'utf8').split('\n').filter((l) => l !== '').length;
        counts[table] = (counts[table] ?? 0) + lines - 1;
      }
      return counts;
    };
    const smallCounts = rowsPerTable(small);
    const largeCounts = rowsPerTable(large);

    // Assess
    for (const table of ['customers', 'orders', 'order_items', 'payments', 'shipments']) {
      const ratio = (largeCounts[table] ?? 0) / (smallCounts[table] ?? 1);
      expect(ratio, table).toBeGreaterThan(1.8);
      expect(ratio, table).toBeLessThan(2.2);
    }
  });

  describe('options', () => {
    const valid: GenerateOptions = { out: 'unused', scale: 0.01, days: 2, seed: 1, format: 'csv' };

    it.each([
      ['scale 0', { scale: 0 }, /scale must be > 0 and <= 100/],
      ['scale 101', { scale: 101 }, /scale must be > 0 and <= 100/],
      ['scale NaN', { scale: Number.NaN }, /scale must be > 0 and <= 100/],
      ['days 0', { days: 0 }, /days must be an integer from 1 to 366/],
      ['days 367', { days: 367 }, /days must be an integer from 1 to 366/],
      ['days 1.5', { days: 1.5 }, /days must be an integer from 1 to 366/],
      ['seed 1.5', { seed: 1.5 }, /seed must be an integer/],
      ['format xml', { format: 'xml' }, /format must be one of csv, jsonl, parquet, mixed/],
      ['an empty out', { out: '' }, /out is required/],
      ['startDate 2024-02-30', { startDate: '2024-02-30' }, /startDate must be a date as YYYY-MM-DD/],
    ])('rejects %s with a one-line ConfigError', async (_name, override, message) => {
      // Act
      const attempt = generateLake({ ...valid, ...override } as GenerateOptions);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(ConfigError);
      await expect(attempt).rejects.toThrow(message);
    });

    it('dates a lake without a start date in the last days, ending yesterday (UTC), so a fresh lake is fresh', async () => {
      // Prepare
      const dir = temporaryDir();
      const day = (daysAgo: number): string => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

      // Act
      const result = await generateLake({ scale: 0.005, days: 3, seed: 1, format: 'csv', out: dir });

      // Assess
      expect(result.batches).toEqual([day(3), day(2), day(1)]);
    });

    it('refuses to write into a folder that already holds raw files', async () => {
      // Act
      const attempt = generateLake({ ...valid, out });

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(ConfigError);
      await expect(attempt).rejects.toThrow(/already holds a lake/);
    });
  });
});
