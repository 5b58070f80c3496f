import { startPostgres, type OfflinePostgres, type PostgresConnection } from '../../offline/postgres/embeddedPostgres.js';
import { LocalFolderObjects, type ParquetObjectStore } from '../../offline/postgres/parquetCopy.js';
import { PostgresEngine } from '../../offline/postgres/postgresEngine.js';

/** The bucket and COPY role the offline Redshift stands for (names only: nothing reaches AWS). */
export const OFFLINE_BUCKET = 'ecomdw-offline-lake';
export const OFFLINE_COPY_ROLE = 'arn:aws:iam::123456789012:role/ecomdw-offline-copy';

let databases = 0;

/** A fresh database on the server and a PostgresEngine on it whose COPY reads `lakeDir` (or another object store). */
export async function offlineWarehouse(
  server: OfflinePostgres,
  objects: ParquetObjectStore | string,
): Promise<{ engine: PostgresEngine; connection: PostgresConnection }> {
  databases += 1;
  const connection = await server.createDatabase(`ecomdw_${process.pid}_${databases}`);
  const store = typeof objects === 'string' ? new LocalFolderObjects(OFFLINE_BUCKET, objects) : objects;
  const engine = await PostgresEngine.open({ connection, lakeBucket: OFFLINE_BUCKET, copyRoleArn: OFFLINE_COPY_ROLE, objects: store });
  return { engine, connection };
}

export { startPostgres };
