import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import { readSqlFile } from '../functions/core/sql/files.js';
import { renderSql } from '../functions/core/sql/render.js';
import { BOOTSTRAP_FILES } from '../functions/core/steps/bootstrap.js';
import { generateLake } from '../generator/generateLake.js';
import { runEcomdw } from './helpers/cli.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { bootstrappedWarehouse } from './helpers/warehouse.js';

// DuckDB stores decimal(38,4) as a 128-bit integer and, left to choose, bit-packs it:
// reading such a column back was 15-20x slower than a decimal(18,4) one (see
// dialects.ts, total_decimal). The order and daily totals are stored uncompressed.
describe('Warehouse storage on DuckDB', () => {
  let engine: DuckDbEngine;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ engine, close } = await bootstrappedWarehouse('ecomdw-storage-'));
  });
  afterAll(() => close());

  it('keeps the decimal(38,4) order totals of known.orders uncompressed once written to the file', async () => {
    // Prepare: 10,000 order versions with distinct totals (what DuckDB would bit-pack)
    await engine.transaction([
      {
        sql: `insert into known.orders (
                order_id, order_ts, order_date, customer_id, revenue_state, item_count, unit_count,
                net_revenue, recognized_revenue, recognized_margin, known_from
              )
              select 'O' || i, timestamp '2024-01-01 00:00:00', date '2024-01-01', 'C1', 'booked', 1, 1,
                  cast(i * 1.25 as decimal(38,4)), cast(i * 1.25 as decimal(38,4)), cast(i * 0.5 as decimal(38,4)), 1
              from range(10000) as t(i)`,
      },
    ]);

    // Act
    await engine.query({ sql: 'checkpoint' });
    const storage = await engine.query({
      sql: `select column_name, string_agg(distinct compression, ',' order by compression) as compression
            from pragma_storage_info('known.orders')
            where segment_type <> 'VALIDITY' and column_name in ('net_revenue', 'recognized_revenue', 'recognized_margin')
            group by column_name order by column_name`,
    });

    // Assess
    expect(storage).toEqual([
      { column_name: 'net_revenue', compression: 'Uncompressed' },
      { column_name: 'recognized_margin', compression: 'Uncompressed' },
      { column_name: 'recognized_revenue', compression: 'Uncompressed' },
    ]);
  });

  it('declares every decimal(38,4) column of the DuckDB DDL with that storage, and none on Redshift', () => {
    // Prepare
    const files = BOOTSTRAP_FILES.flat().filter((file) => file.startsWith('ddl/'));

    // Act
    const render = (dialect: 'duckdb' | 'redshift') => files.map((file) => renderSql(readSqlFile(file), dialect, file).replace(/--[^\n]*/g, '')).join('\n');
    const duckdbTotals = render('duckdb').match(/decimal\(38,\s*4\)[^,\n)]*/gi) ?? [];
    const redshiftTotals = render('redshift').match(/decimal\(38,\s*4\)[^,\n)]*/gi) ?? [];

    // Assess
    expect(duckdbTotals.length).toBeGreaterThan(0);
    expect(new Set(duckdbTotals.map((t) => t.replace(/ not null$/i, '')))).toEqual(new Set(['decimal(38,4) using compression uncompressed']));
    expect(redshiftTotals.length).toBe(duckdbTotals.length);
    expect(redshiftTotals.filter((t) => /compression/i.test(t))).toEqual([]);
  });
});

describe("A DuckDB warehouse opened with compression 'none' (the demo's)", () => {
  /** The compressions of a constant and a repetitive column once a checkpoint wrote them. */
  async function storedCompressions(compression: 'auto' | 'none'): Promise<string[]> {
    const { dir, cleanup } = tempDir('ecomdw-compression-');
    try {
      const engine = await DuckDbEngine.open({ path: path.join(dir, 'w.duckdb'), lakeRoot: dir, compression });
      await engine.transaction([{ sql: `create table t as select 'same text' as constant_text, range % 3 as few_values from range(5000)` }]);
      await engine.query({ sql: 'checkpoint' });
      const rows = await engine.query({
        sql: `select distinct compression from pragma_storage_info('t') where segment_type <> 'VALIDITY' order by compression`,
      });
      await engine.close();
      return rows.map((row) => String(row.compression));
    } finally {
      cleanup();
    }
  }

  it('writes every column uncompressed, where the default compresses the same data', async () => {
    // Act
    const none = await storedCompressions('none');
    const auto = await storedCompressions('auto');

    // Assess
    expect(none).toEqual(['Uncompressed']);
    expect(auto).not.toContain('Uncompressed');
  });
});

describe('The storage `ecomdw run` writes', () => {
  let lakeDir: string;
  let cleanupLake: () => void;
  let warehouses = 0;

  beforeAll(async () => {
    ({ dir: lakeDir, cleanup: cleanupLake } = tempDir('ecomdw-run-compression-'));
    await generateLake({ out: path.join(lakeDir, 'lake'), scale: 0.01, days: 1, seed: 5, format: 'csv', startDate: '2024-03-01' });
  });
  afterAll(() => cleanupLake());

  /** Runs the pipeline through the command line into a new warehouse and lists its fact table's stored compressions. */
  async function factCompressions(args: string[], env: Record<string, string | undefined>): Promise<string[]> {
    const db = path.join(lakeDir, `w${(warehouses += 1)}.duckdb`);
    const { code } = await runEcomdw(['run', '--lake', path.join(lakeDir, 'lake'), '--db', db, ...args], { ...process.env, ECOMDW_COMPRESSION: undefined, ...env });
    expect(code).toBe(0);
    const rows = await queryDuckDb(
      db,
      `select distinct compression from pragma_storage_info('dw.fact_order_items') where segment_type <> 'VALIDITY' order by compression`,
    );
    return rows.map((row) => String(row.compression));
  }

  it('is uncompressed by default, and compressed by DuckDB with --compression auto or ECOMDW_COMPRESSION=auto', async () => {
    // Act
    const byDefault = await factCompressions([], {});
    const flagged = await factCompressions(['--compression', 'auto'], {});
    const fromEnv = await factCompressions([], { ECOMDW_COMPRESSION: 'auto' });
    const flagOverEnv = await factCompressions(['--compression', 'none'], { ECOMDW_COMPRESSION: 'auto' });

    // Assess: a column holding one value is stored as that value either way (DuckDB's
    // 'Constant' needs no analysis); every other column is written as it is, or compressed
    const compressed = (compressions: string[]) => compressions.filter((c) => c !== 'Uncompressed' && c !== 'Constant');
    expect(byDefault).toContain('Uncompressed');
    expect(compressed(byDefault)).toEqual([]);
    expect(compressed(flagOverEnv)).toEqual([]);
    expect(compressed(flagged).length).toBeGreaterThan(0);
    expect(compressed(fromEnv).length).toBeGreaterThan(0);
  });
});
