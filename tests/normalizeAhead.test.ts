import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SOURCE_TABLES } from '../functions/core/contract.js';
import { batchPrefix, MANIFEST_FILE } from '../functions/core/lake/layout.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import { runPipeline, type PipelineEvent, type RunSummary } from '../functions/local/localRunner.js';
import { NormalizeAhead } from '../functions/local/normalizeAhead.js';
import { normalizeTable } from '../functions/core/steps/normalizeTable.js';
import { generateLake } from '../generator/generateLake.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';
import { diffDw } from './helpers/warehouse.js';

const ORDER_HEADER = 'order_id,customer_id,order_ts,updated_at,status,currency';

describe('Normalizing the next batch ahead (the demo)', () => {
  let dir: string;
  let cleanup: () => void;
  let plain: RunSummary;
  let early: RunSummary;
  const discovered = new Map<string, number>();

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    const lake = (name: string): string => path.join(dir, name);
    await generateLake({ out: lake('plain'), scale: 0.02, days: 3, seed: 11, format: 'mixed', startDate: '2024-03-01' });
    cpSync(lake('plain'), lake('ahead'), { recursive: true });
    plain = await runPipeline({ lakeDir: lake('plain'), dbPath: lake('plain.duckdb'), config: TEST_CONFIG });
    early = await runPipeline({
      lakeDir: lake('ahead'),
      dbPath: lake('ahead.duckdb'),
      config: TEST_CONFIG,
      normalizeAhead: true,
      onEvent: (event: PipelineEvent) => {
        // When each batch's DiscoverBatch finished: its normalization must come before, for every batch but the first.
        if (event.type === 'step-finished' && event.step === 'DiscoverBatch' && event.result?.batchId) discovered.set(event.result.batchId, Date.now());
      },
    });
  }, 120_000);
  afterAll(() => cleanup());

  it('builds the same warehouse and the same silver and quarantine output as a run that does not', async () => {
    // Assess
    expect(plain.failure).toBeNull();
    expect(early.failure).toBeNull();
    expect(early.batches.map((b) => b.batchId)).toEqual(plain.batches.map((b) => b.batchId));
    expect(await diffDw(path.join(dir, 'plain.duckdb'), path.join(dir, 'ahead.duckdb'))).toEqual([]);
    for (const zone of ['silver', 'quarantine'] as const) {
      for (const table of SOURCE_TABLES) {
        const read = (lake: string): string => `read_parquet('${path.join(dir, lake, zone, table)}/*/*.parquet', hive_partitioning = false)`;
        const [diff] = await queryDuckDb(
          ':memory:',
          `select (select count(*) from (select * from ${read('plain')} except all select * from ${read('ahead')})) as only_plain,
                  (select count(*) from (select * from ${read('ahead')} except all select * from ${read('plain')})) as only_ahead,
                  (select count(*) from ${read('plain')}) as n`,
        );
        expect({ zone, table, ...diff }).toEqual({ zone, table, only_plain: '0', only_ahead: '0', n: expect.not.stringMatching(/^0$/) });
      }
    }
  });

  it('normalized every batch after the first before that batch was discovered', () => {
    // Assess
    const [, ...later] = early.batches.map((b) => b.batchId);
    expect(later.length).toBe(2);
    for (const batchId of later) {
      for (const table of SOURCE_TABLES) {
        const manifest = JSON.parse(readFileSync(path.join(dir, 'ahead', batchPrefix('silver', table, batchId), MANIFEST_FILE), 'utf8')) as { normalizedAt: string };
        expect(Date.parse(manifest.normalizedAt), `${table} ${batchId}`).toBeLessThan(discovered.get(batchId) ?? 0);
      }
    }
  });
});

describe('A normalization done ahead', () => {
  const BATCH = '2024-01-02';
  let dir: string;
  let cleanup: () => void;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterAll(() => cleanup());

  it('is taken while the raw files are unchanged, and not once a file changed: the state normalizes again and sees the change', async () => {
    // Prepare
    const lake = new LocalLake(dir);
    writeRaw(dir, 'orders', BATCH, 'part-0.csv', `${ORDER_HEADER}\no1,c1,2024-01-02 10:00:00,2024-01-02 10:00:00,placed,BRL\n`);
    const ahead = new NormalizeAhead(lake);
    ahead.start(BATCH, ['orders']);
    const unchanged = await ahead.take('orders', BATCH);
    ahead.start(BATCH, ['orders']);
    await ahead.settle();
    writeRaw(dir, 'orders', BATCH, 'part-0.csv', `${ORDER_HEADER}\no1,c1,2024-01-02 10:00:00,2024-01-02 10:00:00,placed,BRL\no2,c1,2024-01-02 11:00:00,2024-01-02 11:00:00,placed,BRL\n`);
    // Act
    const changed = await ahead.take('orders', BATCH);
    // Assess
    expect(unchanged?.manifest.rawRows).toBe(1);
    expect(unchanged?.ms).toBeGreaterThan(0);
    expect(changed).toBeNull();
    expect(await ahead.take('orders', BATCH)).toBeNull();
  });

  it('that failed, or never ran because the run was stopped, is not taken: the state normalizes itself', async () => {
    // Prepare: a file where the silver folder of customers must go, so writing the output fails
    const lake = new LocalLake(dir);
    writeRaw(dir, 'customers', BATCH, 'part-0.csv', 'customer_id,updated_at\nc1,2024-01-02 10:00:00\n');
    mkdirSync(path.join(dir, 'silver'), { recursive: true });
    writeFileSync(path.join(dir, 'silver', 'customers'), 'in the way');
    const ahead = new NormalizeAhead(lake);
    const stop = new AbortController();
    stop.abort();
    const stopped = new NormalizeAhead(lake, stop.signal);
    // Act
    ahead.start(BATCH, ['customers']);
    stopped.start(BATCH, ['customers']);
    const failed = await ahead.take('customers', BATCH);
    const neverRan = await stopped.take('customers', BATCH);
    // Assess
    expect(failed).toBeNull();
    expect(neverRan).toBeNull();
    await expect(normalizeTable(lake, { table: 'customers', batchId: BATCH })).rejects.toThrow(/normalizing customers batch 2024-01-02 failed/);
    rmSync(path.join(dir, 'silver', 'customers'));
    expect((await normalizeTable(lake, { table: 'customers', batchId: BATCH })).rawRows).toBe(1);
  });
});
