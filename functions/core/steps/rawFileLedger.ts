import type { Statement, WarehouseEngine } from '../engine/types.js';
import type { Lake } from '../lake/lake.js';
import type { RawBatchFile } from '../lake/rawInventory.js';
import { sqlStatement } from '../sql/files.js';
import { sqlNow } from '../sql/render.js';

/** One raw file of a batch as the ledger (audit.batch_files) records it. */
export interface LedgerFile {
  readonly batchId: string;
  readonly table: string;
  readonly path: string;
  readonly size: number;
  readonly changeToken: string;
  readonly contentHash: string;
}

/** A done batch whose raw files are no longer the ones it was processed from. */
export interface ChangedBatch {
  readonly batchId: string;
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  /** The command that processes it again from the files as they are now. */
  readonly command: string;
  /** The same, as the input of a Step Functions execution (the cloud). */
  readonly executionInput: { readonly request: { readonly batchId: string; readonly force: true } };
}

/** Every file the ledger records, per batch. */
export async function readLedger(engine: WarehouseEngine): Promise<Map<string, Map<string, LedgerFile>>> {
  const rows = await engine.query(sqlStatement('steps/raw_file_ledger/ledger_files.sql', engine.dialect));
  const ledger = new Map<string, Map<string, LedgerFile>>();
  for (const row of rows) {
    const file: LedgerFile = {
      batchId: String(row.batch_id),
      table: String(row.table_name),
      path: String(row.file_path),
      size: Number(row.size_bytes),
      changeToken: String(row.change_token),
      contentHash: String(row.content_hash),
    };
    const files = ledger.get(file.batchId) ?? new Map<string, LedgerFile>();
    files.set(file.path, file);
    ledger.set(file.batchId, files);
  }
  return ledger;
}

/**
 * The ledger entry of a file as it is now: the known hash when the change
 * token is the one recorded, otherwise the content read and hashed again.
 */
export async function fingerprintFile(lake: Lake, file: RawBatchFile, known: LedgerFile | undefined): Promise<LedgerFile> {
  const contentHash = known !== undefined && known.changeToken === file.changeToken ? known.contentHash : await lake.hashObject(file.path);
  return { batchId: file.batchId, table: file.table, path: file.path, size: file.size, changeToken: file.changeToken, contentHash };
}

/** What comparing the done batches with their ledger found. */
export interface LedgerComparison {
  readonly changedBatches: ChangedBatch[];
  /** Entries to record again: a new change token for the same content, or a done batch the ledger did not know yet. */
  readonly refreshed: LedgerFile[];
}

/**
 * Compares the raw files of every done batch with the ledger: files added,
 * removed, and changed (a new change token and a different content hash). A
 * new token over the same content is only recorded, so the file is not read
 * again next time. A done batch the ledger has no file of (processed before
 * the ledger existed) is recorded as it is now.
 */
export async function compareDoneBatches(
  lake: Lake,
  files: readonly RawBatchFile[],
  ledger: ReadonlyMap<string, ReadonlyMap<string, LedgerFile>>,
  done: ReadonlySet<string>,
): Promise<LedgerComparison> {
  const current = new Map<string, RawBatchFile[]>();
  for (const file of files) if (done.has(file.batchId)) current.set(file.batchId, [...(current.get(file.batchId) ?? []), file]);
  const changedBatches: ChangedBatch[] = [];
  const refreshed: LedgerFile[] = [];
  for (const batchId of [...done].sort()) {
    const now = current.get(batchId) ?? [];
    const recorded = ledger.get(batchId);
    if (recorded === undefined || recorded.size === 0) {
      for (const file of now) refreshed.push(await fingerprintFile(lake, file, undefined));
      continue;
    }
    const added: string[] = [];
    const changed: string[] = [];
    for (const file of now) {
      const known = recorded.get(file.path);
      if (known === undefined) {
        added.push(file.path);
        continue;
      }
      if (known.changeToken === file.changeToken) continue;
      const entry = await fingerprintFile(lake, file, undefined);
      if (entry.contentHash === known.contentHash) refreshed.push(entry);
      else changed.push(file.path);
    }
    const present = new Set(now.map((f) => f.path));
    const removed = [...recorded.keys()].filter((path) => !present.has(path));
    if (added.length + removed.length + changed.length > 0) {
      changedBatches.push({
        batchId,
        added: added.sort(),
        removed: removed.sort(),
        changed: changed.sort(),
        command: `ecomdw run --batch ${batchId} --force`,
        executionInput: { request: { batchId, force: true } },
      });
    }
  }
  return { changedBatches, refreshed };
}

// Rows per insert: well under the Data API's 100 KB per statement with long paths.
const ROWS_PER_INSERT = 100;

/**
 * The statements that record some files in the ledger, replacing what it held
 * for those paths (and, with `replaceBatch`, everything it held for the batch).
 */
export function ledgerStatements(engine: WarehouseEngine, files: readonly LedgerFile[], runId: string, replaceBatch?: string): Statement[] {
  const statements: Statement[] = [];
  if (replaceBatch !== undefined) {
    statements.push(sqlStatement('steps/raw_file_ledger/forget_batch.sql', engine.dialect, { batch_id: replaceBatch }));
  }
  for (let start = 0; start < files.length; start += ROWS_PER_INSERT) {
    const chunk = files.slice(start, start + ROWS_PER_INSERT);
    const params: Record<string, string | number> = { run_id: runId };
    const rows = chunk.map((file, i) => {
      Object.assign(params, {
        [`batch_id_${i}`]: file.batchId,
        [`table_name_${i}`]: file.table,
        [`file_path_${i}`]: file.path,
        [`size_bytes_${i}`]: file.size,
        [`change_token_${i}`]: file.changeToken,
        [`content_hash_${i}`]: file.contentHash,
      });
      return `(:batch_id_${i}, :table_name_${i}, :file_path_${i}, :size_bytes_${i}, :change_token_${i}, :content_hash_${i}, :run_id, ${sqlNow(engine.dialect)})`;
    });
    if (replaceBatch === undefined) {
      statements.push({
        label: 'raw file ledger',
        sql: `delete from audit.batch_files where ${chunk.map((_f, i) => `(batch_id = :batch_id_${i} and file_path = :file_path_${i})`).join(' or ')}`,
        params: Object.fromEntries(chunk.flatMap((file, i) => [[`batch_id_${i}`, file.batchId], [`file_path_${i}`, file.path]])),
      });
    }
    statements.push({
      label: 'raw file ledger',
      sql: `insert into audit.batch_files (batch_id, table_name, file_path, size_bytes, change_token, content_hash, run_id, recorded_at)
            values ${rows.join(',\n                   ')}`,
      params,
    });
  }
  return statements;
}
