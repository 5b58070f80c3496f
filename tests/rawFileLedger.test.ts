import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPipeline } from '../functions/local/localRunner.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import { classifyRawObjects } from '../functions/core/lake/rawInventory.js';
import { S3Lake, type S3LakeClient } from '../functions/core/lake/s3Lake.js';
import { compareDoneBatches, fingerprintFile } from '../functions/core/steps/rawFileLedger.js';
import type { SourceTable } from '../functions/core/contract.js';
import { normalizeTable } from '../functions/core/steps/normalizeTable.js';
import { compareWarehouses } from '../offline/compareWarehouses.js';
import { runStateMachine } from '../offline/runStateMachine.js';
import { offlineWarehouse, startPostgres } from './helpers/offlineWarehouse.js';
import { writeCrashLake } from './helpers/crashLake.js';
import { queryDuckDb, tempDir, writeRaw } from './helpers/tempLake.js';
import { diffDw } from './helpers/warehouse.js';
import { TEST_CONFIG } from './helpers/testConfig.js';
import { runEcomdw, type CliOutcome } from './helpers/cli.js';

const config = TEST_CONFIG;

let dir = '';
let cleanup: () => void = () => undefined;
let lake = '';
let db = '';

/** The three-batch lake, processed once; every test gets a copy (timestamps kept, so change tokens hold). */
let template = '';
let cleanupTemplate: () => void = () => undefined;

beforeAll(async () => {
  ({ dir: template, cleanup: cleanupTemplate } = tempDir('ecomdw-ledger-template-'));
  writeCrashLake(path.join(template, 'lake'));
  const first = await runPipeline({ lakeDir: path.join(template, 'lake'), dbPath: path.join(template, 'warehouse.duckdb'), config });
  if (first.failure) throw new Error(`first run failed: ${first.failure.message}`);
});
afterAll(() => cleanupTemplate());

beforeEach(() => {
  ({ dir, cleanup } = tempDir('ecomdw-ledger-'));
  cpSync(template, dir, { recursive: true, preserveTimestamps: true });
  lake = path.join(dir, 'lake');
  db = path.join(dir, 'warehouse.duckdb');
});
afterEach(() => {
  vi.restoreAllMocks();
  cleanup();
});

const raw = (table: string, batch: string, name: string) => path.join(lake, 'raw', table, `batch_id=${batch}`, name);

/** Waiting rows and latest records: what the facts of later batches are built from. */
const HISTORY = {
  orders: 'select * exclude (batch_id) from history.orders order by all',
  order_items: 'select * exclude (batch_id) from history.order_items order by all',
  payments: 'select * exclude (batch_id) from history.payments order by all',
  shipments: 'select * exclude (batch_id) from history.shipments order by all',
  waiting_rows: 'select * exclude (batch_id) from history.waiting_rows order by all',
};

async function historyOf(warehouse: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(HISTORY)) out[name] = await queryDuckDb(warehouse, sql);
  return out;
}

describe('A forced re-run of a batch whose raw files changed', () => {
  it('converges to the files as they are now: rows of removed files leave, added and changed rows arrive', async () => {
    // Prepare: b2 loses its customers file (a late change that re-pointed o1) and its payments
    // (the only 'boleto' payment, the waiting o4's payment); its items lose the waiting o4 line;
    // it gains an order of a customer no one sent (c7). b3 loses its whole shipments folder.
    rmSync(raw('customers', 'b2', 'customers.csv'));
    rmSync(raw('payments', 'b2', 'payments.csv'));
    writeRaw(lake, 'order_items', 'b2', 'order_items.csv', [
      'order_id,line_number,product_id,quantity,unit_price,discount_amount,shipping_amount,updated_at,is_deleted',
      'o3,1,p2,3,20.00,0,2.00,2024-01-02T09:00:00Z,',
      '',
    ].join('\n'));
    writeRaw(lake, 'orders', 'b2', 'late.csv', 'order_id,customer_id,order_ts,status,currency,updated_at\no5,c7,2024-01-02T15:00:00Z,paid,EUR,2024-01-02T15:00:00Z\n');
    rmSync(path.join(lake, 'raw', 'shipments', 'batch_id=b3'), { recursive: true });
    const fresh = path.join(dir, 'fresh.duckdb');
    await runPipeline({ lakeDir: lake, dbPath: fresh, config });

    // Act
    const b2 = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b2', force: true });
    const b3 = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b3', force: true });

    // Assess
    expect(b2.failure?.message ?? null).toBeNull();
    expect(b3.failure?.message ?? null).toBeNull();
    expect(await diffDw(fresh, db)).toEqual([]);
    expect(await historyOf(db)).toEqual(await historyOf(fresh));
    const members = await queryDuckDb(db, `select payment_method_code from dw.dim_payment_methods where not is_recognized`);
    expect(members).toEqual([]);
    const c7 = await queryDuckDb(db, `select is_inferred from dw.dim_customers where customer_id = 'c7'`);
    expect(c7).toEqual([{ is_inferred: true }]);
    // The load ledger forgets the table b3 no longer has.
    const loadedTables = (file: string) => queryDuckDb(file, `select table_name from audit.table_loads where batch_id = 'b3' order by table_name`);
    expect(await loadedTables(db)).toEqual(await loadedTables(fresh));
    expect(await loadedTables(db)).not.toContainEqual({ table_name: 'shipments' });
  });

  it('withdraws a whole batch that is gone from the lake', async () => {
    // Prepare
    for (const table of ['customers', 'products', 'orders', 'order_items', 'payments', 'shipments']) {
      rmSync(path.join(lake, 'raw', table, 'batch_id=b3'), { recursive: true, force: true });
    }
    const fresh = path.join(dir, 'fresh.duckdb');
    await runPipeline({ lakeDir: lake, dbPath: fresh, config });

    // Act
    const b3 = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b3', force: true });

    // Assess
    expect(b3.failure?.message ?? null).toBeNull();
    expect(await diffDw(fresh, db)).toEqual([]);
    expect(await historyOf(db)).toEqual(await historyOf(fresh));
    expect(await queryDuckDb(db, `select table_name from audit.table_loads where batch_id = 'b3'`)).toEqual([]);
  });

  it('changes nothing when re-run over the same files', async () => {
    // Prepare
    const reference = path.join(dir, 'reference.duckdb');
    await runPipeline({ lakeDir: lake, dbPath: reference, config });

    // Act
    for (const batchId of ['b1', 'b2', 'b3']) await runPipeline({ lakeDir: lake, dbPath: db, config, batchId, force: true });

    // Assess
    expect(await diffDw(reference, db)).toEqual([]);
    expect(await historyOf(db)).toEqual(await historyOf(reference));
  });
});

/** `ecomdw run` on this test's lake and warehouse, in this process. */
const ecomdw = (...args: string[]): Promise<CliOutcome> => runEcomdw(['run', '--lake', lake, '--db', db, ...args]);

describe('The raw-file ledger', () => {
  it('reports on every run a done batch whose files were added, removed or changed, with the command that re-processes it', async () => {
    // Prepare
    appendFileSync(raw('orders', 'b1', 'orders.csv'), 'o9,c1,2024-01-01T15:00:00Z,paid,EUR,2024-01-01T15:00:00Z\n');
    writeRaw(lake, 'orders', 'b2', 'more.csv', 'order_id,customer_id,order_ts,status,currency,updated_at\no8,c2,2024-01-02T15:00:00Z,paid,EUR,2024-01-02T15:00:00Z\n');
    rmSync(raw('payments', 'b2', 'payments.csv'));

    // Act
    const human = await ecomdw();
    const again = await ecomdw('--json');

    // Assess
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`WARNING: batch b1 is done, but its raw files changed since it was processed: 1 changed (raw/orders/batch_id=b1/orders.csv).`);
    expect(human.stdout).toContain(
      `WARNING: batch b2 is done, but its raw files changed since it was processed: 1 added (raw/orders/batch_id=b2/more.csv); 1 removed (raw/payments/batch_id=b2/payments.csv).`,
    );
    expect(human.stdout).toContain('To process it again from the files as they are now: ecomdw run --batch b2 --force');
    expect(human.stdout).not.toMatch(/batch b3 is done, but/);
    const json = JSON.parse(again.stdout) as { changedBatches: unknown[] };
    expect(json.changedBatches).toEqual([
      { batchId: 'b1', added: [], removed: [], changed: ['raw/orders/batch_id=b1/orders.csv'], command: 'ecomdw run --batch b1 --force', executionInput: { request: { batchId: 'b1', force: true } } },
      {
        batchId: 'b2',
        added: ['raw/orders/batch_id=b2/more.csv'],
        removed: ['raw/payments/batch_id=b2/payments.csv'],
        changed: [],
        command: 'ecomdw run --batch b2 --force',
        executionInput: { request: { batchId: 'b2', force: true } },
      },
    ]);
  });

  it('stops reporting a batch once it was forced through from its files as they are now', async () => {
    // Prepare
    rmSync(raw('payments', 'b2', 'payments.csv'));

    // Act
    const forced = await ecomdw('--batch', 'b2', '--force');
    const after = await ecomdw('--json');

    // Assess
    expect(forced.code).toBe(0);
    expect((JSON.parse(after.stdout) as { changedBatches: unknown[] }).changedBatches).toEqual([]);
  });

  it('reads a file again only when its size or mtime changed, and says nothing when only the mtime did', async () => {
    // Prepare: the copy of the lake has new mtimes (to the millisecond); one run records them.
    await ecomdw('--json');
    const hashed: string[] = [];
    const original = LocalLake.prototype.hashObject;
    vi.spyOn(LocalLake.prototype, 'hashObject').mockImplementation(async function (this: LocalLake, file: string) {
      hashed.push(file);
      return original.call(this, file);
    });

    // Act
    const quiet = await ecomdw('--json');
    const readQuiet = [...hashed];
    const later = new Date(Date.now() + 60_000);
    utimesSync(raw('customers', 'b1', 'customers.csv'), later, later);
    const touched = await ecomdw('--json');
    const readTouched = hashed.slice(readQuiet.length);
    const once = await ecomdw('--json');

    // Assess
    expect(readQuiet).toEqual([]);
    expect(readTouched).toEqual(['raw/customers/batch_id=b1/customers.csv']);
    expect(hashed).toHaveLength(1);
    for (const run of [quiet, touched, once]) expect((JSON.parse(run.stdout) as { changedBatches: unknown[] }).changedBatches).toEqual([]);
  });

  it('names files quarantined whole, unknown table folders and stray files in the human summary', async () => {
    // Prepare
    writeRaw(lake, 'orders', 'b4', 'orders.csv', 'order_id,customer_id,order_ts,status,currency,updated_at\no7,c1,2024-01-04T10:00:00Z,paid,EUR,2024-01-04T10:00:00Z\n');
    writeRaw(lake, 'orders', 'b4', 'notes.txt', 'not data\n');
    writeRaw(lake, 'orders', 'b4', 'broken.parquet', 'not parquet at all');
    writeRaw(lake, 'refunds', 'b4', 'refunds.csv', 'refund_id\nr1\n');
    mkdirSync(path.join(lake, 'raw', 'orders', 'batch_id=b4', 'old'), { recursive: true });
    writeFileSync(path.join(lake, 'raw', 'orders', 'batch_id=b4', 'old', 'orders.csv'), 'order_id\n');
    writeFileSync(path.join(lake, 'raw', 'orders', 'README.md'), '# orders\n');

    // Act
    const { code, stdout } = await ecomdw();

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('2 file(s) quarantined whole:');
    expect(stdout).toMatch(/raw\/orders\/batch_id=b4\/notes\.txt: unsupported file type '\.txt'/);
    expect(stdout).toMatch(/raw\/orders\/batch_id=b4\/broken\.parquet: malformed parquet file/);
    expect(stdout).toContain('3 file(s) under raw/ that no batch reads:');
    expect(stdout).toContain("raw/refunds/batch_id=b4/refunds.csv: unknown table folder 'refunds'");
    expect(stdout).toContain('raw/orders/batch_id=b4/old/orders.csv: in a subfolder of raw/orders/batch_id=b4/');
    expect(stdout).toContain('raw/orders/README.md: not in a batch_id=<id> folder of raw/orders/');
  });
});

describe('The raw-file ledger on S3', () => {
  /** A bucket whose objects carry an ETag, as ListObjectsV2 reports it; counts GetObject calls. */
  function bucket(objects: Record<string, { body: string; etag: string }>) {
    const gets: string[] = [];
    const client: S3LakeClient = {
      async listObjectsV2(input) {
        const keys = Object.keys(objects).filter((k) => k.startsWith(input.Prefix ?? '')).sort();
        return { Contents: keys.map((Key) => ({ Key, Size: Buffer.byteLength(objects[Key]?.body ?? ''), ETag: objects[Key]?.etag })), IsTruncated: false };
      },
      async getObject({ Key }) {
        gets.push(Key);
        const body = Buffer.from(objects[Key]?.body ?? '');
        return {
          Body: Object.assign(Readable.from([body.subarray(0, 3), body.subarray(3)]), { transformToString: async () => body.toString('utf8') }),
        };
      },
    };
    return { client, gets };
  }

  it('tokens objects by size and ETag, hashes them streamed, and reads one again only when its ETag changed', async () => {
    // Prepare
    const key = 'raw/orders/batch_id=b1/orders.csv';
    const before = bucket({ [key]: { body: 'order_id\no1\n', etag: '"e1"' } });
    const lake = new S3Lake('ecomdw-test-lake', before.client);
    const [listed] = classifyRawObjects(await lake.listRawObjects()).files;
    const recorded = await fingerprintFile(lake, listed!, undefined);
    const ledger = new Map([['b1', new Map([[key, recorded]])]]);
    const sameEtag = bucket({ [key]: { body: 'order_id\no1\n', etag: '"e1"' } });
    const newEtagSameBytes = bucket({ [key]: { body: 'order_id\no1\n', etag: '"e2"' } });
    const newBytes = bucket({ [key]: { body: 'order_id\no2\n', etag: '"e3"' } });

    // Act
    const compare = async (b: ReturnType<typeof bucket>) => {
      const s3 = new S3Lake('ecomdw-test-lake', b.client);
      return compareDoneBatches(s3, classifyRawObjects(await s3.listRawObjects()).files, ledger, new Set(['b1']));
    };
    const unchanged = await compare(sameEtag);
    const copied = await compare(newEtagSameBytes);
    const edited = await compare(newBytes);

    // Assess
    expect(recorded).toMatchObject({ size: 12, changeToken: '12:"e1"', contentHash: createHash('sha256').update('order_id\no1\n').digest('hex') });
    expect(sameEtag.gets).toEqual([]);
    expect(unchanged).toEqual({ changedBatches: [], refreshed: [] });
    expect(newEtagSameBytes.gets).toEqual([key]);
    expect(copied.changedBatches).toEqual([]);
    expect(copied.refreshed).toEqual([{ ...recorded, changeToken: '12:"e2"' }]);
    expect(edited.changedBatches.map((c) => c.changed)).toEqual([[key]]);
  });
});

describe('A warehouse built before the per-batch history', () => {
  it('gets it from its latest records when opened, so a forced re-run still withdraws them', async () => {
    // Prepare: the tables this history adds, and the bootstrap's records, dropped.
    for (const table of [
      'history.order_changes',
      'history.order_item_changes',
      'history.payment_changes',
      'history.shipment_changes',
      'history.dimension_references',
      'audit.backfills',
      'audit.warehouse_version',
    ]) {
      await queryDuckDb(db, `drop table ${table}`);
    }
    rmSync(raw('payments', 'b2', 'payments.csv'));
    const fresh = path.join(dir, 'fresh.duckdb');
    await runPipeline({ lakeDir: lake, dbPath: fresh, config });

    // Act
    const forced = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b2', force: true });

    // Assess
    expect(forced.failure?.message ?? null).toBeNull();
    expect(await diffDw(fresh, db)).toEqual([]);
    expect(await historyOf(db)).toEqual(await historyOf(fresh));
  });
});

describe('A forced re-run on the Redshift SQL, run by PostgreSQL', () => {
  it('withdraws the rows of removed files as the DuckDB warehouse does', async () => {
    // Prepare: every batch through the ASL on PostgreSQL, then two of b2's files removed.
    const server = await startPostgres();
    const { engine, connection } = await offlineWarehouse(server, lake);
    try {
      const offlineLake = new LocalLake(lake);
      const normalize = async (table: string, batchId: string): Promise<void> => {
        await normalizeTable(offlineLake, { table: table as SourceTable, batchId });
      };
      const first = await runStateMachine({ context: { engine, lake: offlineLake, config }, normalize });
      expect(first.failure).toBeNull();
      rmSync(raw('customers', 'b2', 'customers.csv'));
      rmSync(raw('payments', 'b2', 'payments.csv'));
      const fresh = path.join(dir, 'fresh.duckdb');
      await runPipeline({ lakeDir: lake, dbPath: fresh, config });

      // Act
      const forced = await runStateMachine({ context: { engine, lake: offlineLake, config }, normalize, request: { batchId: 'b2', force: true } });

      // Assess
      expect(forced.failure).toBeNull();
      const comparison = await compareWarehouses(connection, fresh, { schemas: ['dw'] });
      for (const table of comparison) {
        expect({ ...table, examples: table.examples.join('\n') }, table.table).toMatchObject({ onlyInDuckdb: 0, onlyInPostgres: 0 });
      }
    } finally {
      await engine.close();
      await server.stop();
    }
  });
});
