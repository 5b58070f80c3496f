import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type OfflineS3 } from '../offline/s3/motoServer.js';
import { LakeError } from '../functions/core/errors.js';
import type { Lake } from '../functions/core/lake/lake.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import type { NormalizeManifest } from '../functions/core/lake/manifest.js';
import { S3Lake, type S3LakeClient } from '../functions/core/lake/s3Lake.js';
import { tempDir } from './helpers/tempLake.js';

/** A lake to test: how to put an object at a key, and the Lake reading it. */
interface Backend {
  put(key: string, body: string): Promise<void>;
  lake(): Lake;
}

/** Puts many objects, a few at a time (a real S3 API is one request per object). */
async function putAll(backend: Backend, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 32) await Promise.all(keys.slice(i, i + 32).map((key) => backend.put(key, 'x')));
}

const manifest: NormalizeManifest = {
  table: 'orders',
  batchId: '2024-01-02',
  rawRows: 3,
  silverRows: 2,
  quarantinedRows: 1,
  files: [],
  rejectReasons: { 'order_ts is not a timestamp': 1 },
  normalizedAt: '2024-01-03T01:00:00.000Z',
};

let s3: OfflineS3;
const folders: (() => void)[] = [];
let buckets = 0;

beforeAll(async () => {
  s3 = await startS3();
});

afterAll(async () => {
  await s3?.stop();
  for (const cleanup of folders) cleanup();
});

const BACKENDS: Record<string, () => Promise<Backend>> = {
  'a local folder': async () => {
    const { dir, cleanup } = tempDir('ecomdw-lake-');
    folders.push(cleanup);
    return {
      async put(key, body) {
        const file = path.join(dir, key);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, body);
      },
      lake: () => new LocalLake(dir),
    };
  },
  'an S3 API (moto server)': async () => {
    const client = s3.client();
    const bucket = `ecomdw-lake-${++buckets}`;
    await client.createBucket({ Bucket: bucket });
    return {
      async put(key, body) {
        await client.putObject({ Bucket: bucket, Key: key, Body: body });
      },
      lake: () => new S3Lake(bucket, client as unknown as S3LakeClient),
    };
  },
};

/** The same contract on both lakes: what the pipeline sees must not depend on where the lake is. */
describe.each(Object.keys(BACKENDS))('The lake on %s', (name) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await (BACKENDS[name] as () => Promise<Backend>)();
    await putAll(backend, [
      'raw/customers/batch_id=2024-01-01/a.csv',
      'raw/customers/batch_id=2024-01-02/a.csv',
      'raw/customers/notes/readme.txt',
      'raw/orders/batch_id=2024-01-02/a.jsonl',
      'raw/orders/batch_id=2024-01-02/b.parquet',
      'raw/orders/batch_id=2024-01-02/_SUCCESS',
      'raw/orders/batch_id=2024-01-02/.keep',
      'raw/orders/batch_id=2024-01-02/nested/c.csv',
      'raw/orders/batch_id=2024-01-020/x.csv',
      'raw/unknown_table/batch_id=2024-01-01/a.csv',
      'silver/orders/batch_id=2024-01-01/part-0.parquet',
    ]);
    await backend.put('silver/orders/batch_id=2024-01-02/_manifest.json', JSON.stringify(manifest));
  });

  it('lists the batches of every source table, ignoring other folders and tables', async () => {
    // Act
    const batches = await backend.lake().listRawBatches();

    // Assess
    expect([...batches]).toEqual([
      ['2024-01-01', ['customers']],
      ['2024-01-02', ['customers', 'orders']],
      ['2024-01-020', ['orders']],
    ]);
  });

  it('lists the raw files of one batch: sorted, no hidden files, no subfolders, not the batch whose id extends it', async () => {
    // Act
    const files = await backend.lake().listRawFiles('orders', '2024-01-02');

    // Assess
    expect(files).toEqual([
      { path: 'raw/orders/batch_id=2024-01-02/a.jsonl', name: 'a.jsonl' },
      { path: 'raw/orders/batch_id=2024-01-02/b.parquet', name: 'b.parquet' },
    ]);
  });

  it('reads a manifest, and answers null for a missing one (404, the caller may list)', async () => {
    // Act
    const found = await backend.lake().readManifest('orders', '2024-01-02');
    const missing = await backend.lake().readManifest('orders', '2024-01-01');

    // Assess
    expect(found).toEqual(manifest);
    expect(missing).toBeNull();
  });

  it('lists more than 1,000 batches and more than 1,000 files of a batch (pagination)', async () => {
    // Prepare
    const batches = Array.from({ length: 1_010 }, (_, i) => `b${String(i).padStart(4, '0')}`);
    const files = Array.from({ length: 1_010 }, (_, i) => `part-${String(i).padStart(4, '0')}.csv`);
    await putAll(backend, [
      ...batches.map((b) => `raw/payments/batch_id=${b}/a.csv`),
      ...files.map((f) => `raw/shipments/batch_id=big/${f}`),
    ]);

    // Act
    const listed = await backend.lake().listRawBatches();
    const listedFiles = await backend.lake().listRawFiles('shipments', 'big');

    // Assess
    expect([...listed].filter(([, tables]) => tables.includes('payments')).map(([id]) => id)).toEqual(batches);
    expect(listedFiles.map((f) => f.name)).toEqual(files);
  });
});

describe('The S3 lake when the bucket is wrong or access is denied', () => {
  it('reports a missing bucket (404 NoSuchBucket) as a LakeError, not as a missing manifest', async () => {
    // Prepare
    const lake = new S3Lake('ecomdw-not-there', s3.client());

    // Act
    const listing = await lake.listRawBatches().catch((e: unknown) => e);
    const reading = await lake.readManifest('orders', '2024-01-02').catch((e: unknown) => e);

    // Assess
    expect(listing).toBeInstanceOf(LakeError);
    expect((listing as Error).message).toMatch(/cannot list s3:\/\/ecomdw-not-there\/raw\/: NoSuchBucket/);
    expect(reading).toBeInstanceOf(LakeError);
    expect((reading as Error).message).toMatch(/cannot read s3:\/\/ecomdw-not-there\/silver\/orders\/batch_id=2024-01-02\/_manifest\.json: NoSuchBucket/);
  });

  it('reports a 403 as a LakeError naming the object, for a present and a missing key alike', async () => {
    // Prepare: moto authorizes every request after the first two (create the bucket, put one manifest).
    const guarded = await startS3({ authorizeAfterActions: 2 });
    try {
      const setup = guarded.client();
      await setup.createBucket({ Bucket: 'ecomdw-guarded-lake' });
      await setup.putObject({ Bucket: 'ecomdw-guarded-lake', Key: 'silver/orders/batch_id=2024-01-02/_manifest.json', Body: JSON.stringify(manifest) });
      const lake = new S3Lake('ecomdw-guarded-lake', guarded.client({ accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' }));

      // Act
      const present = await lake.readManifest('orders', '2024-01-02').catch((e: unknown) => e);
      const missing = await lake.readManifest('orders', '2024-01-01').catch((e: unknown) => e);

      // Assess
      for (const error of [present, missing]) {
        expect(error).toBeInstanceOf(LakeError);
        expect((error as Error).message).toMatch(/cannot read s3:\/\/ecomdw-guarded-lake\/silver\/orders\/batch_id=2024-01-0[12]\/_manifest\.json: InvalidAccessKeyId/);
        expect(((error as Error).cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
      }
    } finally {
      await guarded.stop();
    }
  });
});

/** The raw-file ledger's view of the lake (functions/core/steps/rawFileLedger.ts): the same on both lakes. */
describe.each(Object.keys(BACKENDS))('The raw objects of the lake on %s', (name) => {
  it('are listed at any depth with a change token that moves with the content, and hashed as SHA-256', async () => {
    // Prepare
    const backend = await (BACKENDS[name] as () => Promise<Backend>)();
    const key = 'raw/orders/batch_id=2024-01-01/orders.csv';
    await backend.put(key, 'order_id\no1\n');
    await backend.put('raw/orders/batch_id=2024-01-01/old/orders.csv', 'order_id\n');
    await backend.put('silver/orders/batch_id=2024-01-01/part-0.parquet', 'x');
    const lake = backend.lake();

    // Act
    const before = await lake.listRawObjects();
    const hashBefore = await lake.hashObject(key);
    await backend.put(key, 'order_id\no1\no2\n');
    const after = await lake.listRawObjects();
    const hashAfter = await lake.hashObject(key);

    // Assess
    expect(before.map((o) => [o.path, o.size])).toEqual([
      ['raw/orders/batch_id=2024-01-01/old/orders.csv', 9],
      [key, 12],
    ]);
    expect(hashBefore).toBe(createHash('sha256').update('order_id\no1\n').digest('hex'));
    expect(hashAfter).toBe(createHash('sha256').update('order_id\no1\no2\n').digest('hex'));
    expect(after.find((o) => o.path === key)?.changeToken).not.toBe(before.find((o) => o.path === key)?.changeToken);
    await expect(lake.hashObject('raw/orders/batch_id=2024-01-01/missing.csv')).rejects.toBeInstanceOf(LakeError);
  });
});
