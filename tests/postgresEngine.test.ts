import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfflinePostgres } from '../offline/postgres/embeddedPostgres.js';
import type { PostgresEngine } from '../offline/postgres/postgresEngine.js';
import { translateRedshift } from '../offline/postgres/redshiftShims.js';
import { S3Objects, type S3ObjectClient } from '../offline/postgres/parquetCopy.js';
import { startS3 } from '../offline/s3/motoServer.js';
import { WarehouseStatementError, WarehouseTimeoutError } from '../functions/core/errors.js';
import { renderSql } from '../functions/core/sql/render.js';
import { bootstrapWarehouse } from '../functions/core/steps/bootstrap.js';
import { OFFLINE_BUCKET, offlineWarehouse, startPostgres } from './helpers/offlineWarehouse.js';
import { tempDir } from './helpers/tempLake.js';

/** The error a promise rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject, it resolved');
}

/** Writes a parquet file from a DuckDB select (column names and types as given). */
async function writeParquet(file: string, select: string): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`copy (${select}) to '${file}' (format parquet)`);
  connection.closeSync();
  instance.closeSync();
}

describe('Translating Redshift SQL for PostgreSQL', () => {
  it.each([
    ['sysdate', `insert into t values (sysdate, 'sysdate')`, `insert into t values (localtimestamp, 'sysdate')`],
    ['datediff', `select datediff(hour, a.x, b.y) from t`, `select public.datediff('hour', a.x, b.y) from t`],
    [
      'listagg',
      renderSql(`select {{ string_agg(k.failure_key) }} from k`, 'redshift'),
      `select string_agg(cast(k.failure_key as text), ', ' order by k.failure_key) from k`,
    ],
    ['nvl', `select nvl(a, 'x') from t`, `select coalesce(a, 'x') from t`],
    ['a literal that looks like code', `select 'listagg(x) sysdate -- no' as s`, `select 'listagg(x) sysdate -- no' as s`],
  ])('rewrites %s', (_name, redshift, postgres) => {
    // Act
    const translated = translateRedshift(redshift);

    // Assess
    expect(translated).toBe(postgres);
  });

  it('drops the physical layout of a table and checks every varchar length in bytes', () => {
    // Prepare
    const ddl = renderSql(
      `create table if not exists history.orders (
    order_id varchar(256) not null, updated_at timestamp not null, status varchar(16)
) {{ distkey(order_id) }} {{ sortkey(order_id, updated_at) }}`,
      'redshift',
    );

    // Act
    const translated = translateRedshift(ddl);

    // Assess
    expect(ddl).toMatch(/distkey\(order_id\) compound sortkey\(order_id, updated_at\)$/);
    expect(translated).not.toMatch(/distkey|sortkey/);
    expect(translated).toContain('order_id varchar(256) not null constraint orders_order_id_bytes check (octet_length(order_id) <= 256)');
    expect(translated).toContain('status varchar(16) constraint orders_status_bytes check (octet_length(status) <= 16)');
  });
});

describe('The PostgreSQL engine', () => {
  let server: OfflinePostgres;
  let engine: PostgresEngine;
  let lakeDir: string;
  let cleanup: () => void;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir('ecomdw-pgengine-'));
    lakeDir = path.join(dir, 'lake');
    server = await startPostgres();
    ({ engine } = await offlineWarehouse(server, lakeDir));
    await bootstrapWarehouse(engine);
  });

  afterAll(async () => {
    await engine?.close();
    await server?.stop();
    cleanup?.();
  });

  it('counts varchar lengths in bytes, as Redshift does: 86 CJK characters do not fit a varchar(256)', async () => {
    // Prepare
    const fits = '中'.repeat(85); // 255 bytes
    const tooLong = '中'.repeat(86); // 258 bytes, 86 characters

    // Act
    await engine.transaction([{ sql: `insert into staging.orders (order_id) values (:id)`, params: { id: fits } }]);
    const error = await rejectionOf(engine.transaction([{ label: 'long id', sql: `insert into staging.orders (order_id) values (:id)`, params: { id: tooLong } }]));

    // Assess
    expect(error).toBeInstanceOf(WarehouseStatementError);
    expect(error.message).toMatch(/long id.*orders_order_id_bytes.*in bytes as Redshift does: staging\.orders CHECK \(\(octet_length\(\(order_id\)::text\) <= 256\)\)/);
    await engine.transaction([{ sql: 'delete from staging.orders' }]);
  });

  it('rolls the whole transaction back when one statement fails', async () => {
    // Act
    const error = await rejectionOf(
      engine.transaction([
        { sql: `insert into staging.orders (order_id) values ('kept?')` },
        { label: 'bad', sql: `insert into staging.orders (order_id) values (cast('x' as integer))` },
      ]),
    );
    const rows = await engine.query({ sql: `select count(*) as n from staging.orders` });

    // Assess
    expect(error.message).toMatch(/\(bad, statement 2 of 2\)/);
    expect(rows).toEqual([{ n: '0' }]);
  });

  it('keeps the Data API rules: no NULL or empty parameter, at most 40 statements', async () => {
    // Act
    const empty = await rejectionOf(engine.query({ sql: 'select :x as x', params: { x: '' } }));
    const tooMany = await rejectionOf(engine.transaction(Array.from({ length: 41 }, () => ({ sql: 'select 1' }))));

    // Assess
    expect(empty.message).toMatch(/cannot bind an empty string/);
    expect(tooMany.message).toMatch(/41 statements exceeds the Data API's 40/);
  });

  it('loads parquet with the COPY text Redshift gets, by position', async () => {
    // Prepare
    const prefix = 'silver/orders/batch_id=b1';
    await writeParquet(
      path.join(lakeDir, prefix, 'part-0.parquet'),
      `select 'o-1' as order_id, 'c-1' as customer_id, timestamp '2024-01-01 10:00:00' as order_ts, timestamp '2024-01-01 10:00:00' as updated_at,
        'placed' as status, 'EUR' as currency, 'h' as row_hash, 'f.csv' as source_file, 7::bigint as source_row`,
    );
    const columns = ['order_id', 'customer_id', 'order_ts', 'updated_at', 'status', 'currency', 'row_hash', 'source_file', 'source_row'];
    const copy = engine.loadParquet('staging.orders', columns, prefix);

    // Act
    await engine.transaction([copy]);
    const rows = await engine.query({ sql: 'select order_id, order_ts, source_row from staging.orders' });

    // Assess
    expect(copy.sql).toBe(
      `copy "staging"."orders" (${columns.map((c) => `"${c}"`).join(', ')}) from 's3://${OFFLINE_BUCKET}/${prefix}/part-' iam_role 'arn:aws:iam::123456789012:role/ecomdw-offline-copy' format as parquet`,
    );
    expect(rows).toEqual([{ order_id: 'o-1', order_ts: '2024-01-01 10:00:00', source_row: '7' }]);
    await engine.transaction([{ sql: 'delete from staging.orders' }]);
  });

  it('reads the objects of the COPY prefix from an S3 API: the part files only, not the manifest or a sibling batch', async () => {
    // Prepare
    const s3 = await startS3();
    try {
      const client = s3.client();
      await client.createBucket({ Bucket: OFFLINE_BUCKET });
      const file = path.join(lakeDir, 'upload/part-0.parquet');
      await writeParquet(file, `select 'from-s3' as order_id`);
      const body = readFileSync(file);
      await client.putObject({ Bucket: OFFLINE_BUCKET, Key: 'silver/orders/batch_id=s1/part-0.parquet', Body: body });
      await client.putObject({ Bucket: OFFLINE_BUCKET, Key: 'silver/orders/batch_id=s1/part-1.parquet', Body: body });
      await client.putObject({ Bucket: OFFLINE_BUCKET, Key: 'silver/orders/batch_id=s1/_manifest.json', Body: '{}' });
      await client.putObject({ Bucket: OFFLINE_BUCKET, Key: 'silver/orders/batch_id=s10/part-0.parquet', Body: body });
      const viaS3 = (await offlineWarehouse(server, new S3Objects(client as unknown as S3ObjectClient))).engine;
      await bootstrapWarehouse(viaS3);

      // Act
      await viaS3.transaction([viaS3.loadParquet('staging.orders', ['order_id'], 'silver/orders/batch_id=s1')]);
      const rows = await viaS3.query({ sql: 'select order_id from staging.orders' });
      await viaS3.close();

      // Assess
      expect(rows).toEqual([{ order_id: 'from-s3' }, { order_id: 'from-s3' }]);
    } finally {
      await s3.stop();
    }
  });

  it.each([
    ['columns in another order', `select 'c' as customer_id, 'o' as order_id`, ['order_id', 'customer_id'], /column 1 of the file is customer_id, the column list says order_id/],
    ['a column too many', `select 'o' as order_id, 'c' as customer_id, 1 as extra`, ['order_id', 'customer_id'], /the file has 3 columns, the column list 2/],
    ['a type COPY cannot load', `select 'o' as order_id, 1.5::double as line_number`, ['order_id', 'line_number'], /line_number is parquet DOUBLE, which COPY cannot load into bigint/],
  ])('refuses a COPY whose parquet file has %s', async (_case, select, columns, message) => {
    // Prepare
    const batch = `bad${columns.length}${select.length}`;
    await writeParquet(path.join(lakeDir, `silver/order_items/batch_id=${batch}/part-0.parquet`), select);

    // Act
    const error = await rejectionOf(engine.transaction([engine.loadParquet('staging.order_items', columns, `silver/order_items/batch_id=${batch}`)]));

    // Assess
    expect(error.message).toMatch(message);
  });

  it('fails a COPY whose prefix matches no object, as Redshift does', async () => {
    // Act
    const error = await rejectionOf(engine.transaction([engine.loadParquet('staging.orders', ['order_id'], 'silver/orders/batch_id=missing')]));

    // Assess
    expect(error.message).toMatch(/matches no object/);
  });

  it('cancels a statement still running at the deadline and rolls its transaction back', async () => {
    // Prepare
    engine.setDeadline(Date.now() + 500);
    const started = Date.now();

    // Act
    const error = await rejectionOf(
      engine.transaction([
        { sql: `insert into staging.orders (order_id) values ('before the sleep')` },
        { label: 'slow', sql: 'select pg_sleep(5)' },
      ]),
    );
    engine.setDeadline(null);
    const rows = await engine.query({ sql: 'select count(*) as n from staging.orders' });

    // Assess
    expect(error).toBeInstanceOf(WarehouseTimeoutError);
    expect(error.message).toMatch(/cancelled at the step's deadline \(slow/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(rows).toEqual([{ n: '0' }]);
  });
});
