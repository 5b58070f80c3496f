import { isSourceTable, SOURCE_TABLES, type SourceTable } from '../contract.js';
import type { RawObject } from './lake.js';
import { BATCH_ID_PATTERN, parseBatchFolder } from './layout.js';

/** A raw file of a batch, as listed (its content not read yet). */
export interface RawBatchFile extends RawObject {
  readonly batchId: string;
  readonly table: SourceTable;
}

/** An object under raw/ that no batch reads, and why. */
export interface StrayObject {
  readonly path: string;
  readonly reason: string;
}

/** What raw/ holds: the batches' files, and what the pipeline will never read. */
export interface RawInventory {
  readonly files: readonly RawBatchFile[];
  readonly strays: readonly StrayObject[];
}

/**
 * Sorts the objects under raw/ into the files of batches
 * (`raw/<table>/batch_id=<id>/<file>`) and strays: unknown table folders,
 * files outside a batch folder, files in a batch folder's subfolders. Names
 * starting with `.` or `_` (`.DS_Store`, `_SUCCESS`) are neither: the
 * normalizer skips them by convention. Folders with an invalid batch id are
 * left to listBatches, which refuses them.
 */
export function classifyRawObjects(objects: readonly RawObject[]): RawInventory {
  const files: RawBatchFile[] = [];
  const strays: StrayObject[] = [];
  for (const object of objects) {
    const parts = object.path.split('/');
    const name = parts[parts.length - 1] ?? '';
    if (name.startsWith('.') || name.startsWith('_')) continue;
    const [, table, folder] = parts;
    if (table === undefined || parts.length === 2) {
      strays.push({ path: object.path, reason: 'a file directly under raw/, outside any table folder' });
      continue;
    }
    if (!isSourceTable(table)) {
      strays.push({ path: object.path, reason: `unknown table folder '${table}' (the tables are ${SOURCE_TABLES.join(', ')})` });
      continue;
    }
    const batchId = folder === undefined ? null : parseBatchFolder(folder);
    if (batchId === null || parts.length === 3) {
      strays.push({ path: object.path, reason: `not in a batch_id=<id> folder of raw/${table}/` });
      continue;
    }
    if (!BATCH_ID_PATTERN.test(batchId)) continue;
    if (parts.length > 4) {
      strays.push({ path: object.path, reason: `in a subfolder of raw/${table}/${folder}/ (only the files directly in a batch folder are read)` });
      continue;
    }
    files.push({ ...object, batchId, table });
  }
  return { files, strays };
}
