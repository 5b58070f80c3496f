import { BatchError } from '../errors.js';
import { RAW_FILE_RULES, type SourceTable } from '../contract.js';

/** SPEC section 1: what a batch id may look like (contract.json, which the Glue job reads too). */
export const BATCH_ID_PATTERN = new RegExp(RAW_FILE_RULES.batchIdPattern);

/** The three zones of the lake. */
export const LAKE_ZONES = ['raw', 'silver', 'quarantine'] as const;
export type LakeZone = (typeof LAKE_ZONES)[number];

/** Throws a BatchError unless `batchId` matches the contract. */
export function assertBatchId(batchId: string): string {
  if (!BATCH_ID_PATTERN.test(batchId)) {
    throw new BatchError(`invalid batch id '${batchId}': it must match ${BATCH_ID_PATTERN.source}`);
  }
  return batchId;
}

/** The lake-relative prefix of one table's batch in a zone, e.g. `silver/orders/batch_id=2024-01-01`. */
export function batchPrefix(zone: LakeZone, table: SourceTable, batchId: string): string {
  return `${zone}/${table}/batch_id=${assertBatchId(batchId)}`;
}

/** Name of the file the normalizer writes next to the silver parquet with its counts. */
export const MANIFEST_FILE = RAW_FILE_RULES.manifestFile;

/** Parses the batch id out of a `batch_id=<id>` folder name, or null. */
export function parseBatchFolder(folder: string): string | null {
  const match = /^batch_id=(.*)$/.exec(folder);
  return match ? (match[1] ?? null) : null;
}
