import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** A fresh temp folder; removed by the returned cleanup. */
export function tempDir(prefix = 'ecomdw-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes one raw file into `<lake>/raw/<table>/batch_id=<batch>/<name>`. */
export function writeRaw(lake: string, table: string, batchId: string, name: string, content: string): string {
  const folder = path.join(lake, 'raw', table, `batch_id=${batchId}`);
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  writeFileSync(file, content);
  return file;
}

/** Reads a query's rows from a DuckDB file (or parquet glob via an in-memory database). */
export async function queryDuckDb(database: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(database);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
