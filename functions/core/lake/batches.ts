import type { SourceTable } from '../contract.js';
import { BatchError, LakeError } from '../errors.js';
import type { Lake } from './lake.js';
import { assertBatchId, BATCH_ID_PATTERN } from './layout.js';

/**
 * The lake's batches with their tables; a lake without batches, a batch
 * folder with an invalid id, or a requested batch that is not there is an error
 * (unless the run is forced: a forced run of a batch gone from the lake
 * withdraws what it brought, if the warehouse knows it).
 */
export async function listBatches(lake: Lake, requested?: string, options: { readonly force?: boolean } = {}): Promise<Map<string, SourceTable[]>> {
  const goneAllowed = requested !== undefined && options.force === true;
  if (requested !== undefined) assertBatchId(requested);
  const batches = await lake.listRawBatches();
  for (const batchId of batches.keys()) {
    if (!BATCH_ID_PATTERN.test(batchId)) {
      throw new BatchError(`invalid batch folder 'batch_id=${batchId}' in ${lake.location}/raw: a batch id must match ${BATCH_ID_PATTERN.source}`);
    }
  }
  if (batches.size === 0 && !goneAllowed) throw new LakeError(`no batches in ${lake.location}/raw (expected raw/<table>/batch_id=<id>/<file>)`);
  if (requested !== undefined && !batches.has(requested) && !goneAllowed) {
    throw new BatchError(`batch '${requested}' not found in ${lake.location}/raw`);
  }
  return batches;
}
