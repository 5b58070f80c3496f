import type { TextMask } from '../../offline/compareWarehouses.js';
import { startPostgres, type OfflinePostgres, type PostgresConnection } from '../../offline/postgres/embeddedPostgres.js';
import { LocalFolderObjects, type ParquetObjectStore } from '../../offline/postgres/parquetCopy.js';
import { PostgresEngine } from '../../offline/postgres/postgresEngine.js';

/** The bucket and COPY role the offline Redshift stands for (names only: nothing reaches AWS). */
export const OFFLINE_BUCKET = 'ecomdw-offline-lake';
export const OFFLINE_COPY_ROLE = 'arn:aws:iam::123456789012:role/ecomdw-offline-copy';

/**
 * The run's clock inside a freshness test's sample key ("orders: newest change … is 25831 h old"):
 * two runs of one lake, minutes apart, disagree on it whenever an hour boundary falls between them.
 */
export const FRESHNESS_AGE: TextMask = { column: 'sample_keys', pattern: ' is [0-9.]+ h old', replacement: ' is (age) h old' };

/** `text` with the freshness ages masked as compareWarehouses masks them. */
export function withoutFreshnessAge(text: string | null): string | null {
  return text === null ? null : text.replace(new RegExp(FRESHNESS_AGE.pattern, 'g'), FRESHNESS_AGE.replacement);
}

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
