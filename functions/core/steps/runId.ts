import { randomBytes } from 'node:crypto';

/** Every run_id column of the warehouse is varchar(64) (sql/ddl): a run id never exceeds it. */
export const RUN_ID_MAX_LENGTH = 64;

/** `-YYYYMMDDTHHMMSS-xxxxxx`: what a run id adds to its batch id (23 characters). */
const SUFFIX_LENGTH = 23;

/**
 * A new run id: the batch id, the start time and 6 random hex digits, e.g.
 * `2024-01-02-20240103T010000-a1b2c3`. A batch id may be 64 characters
 * (SPEC section 1), so only its first 41 are kept: the run id stays readable
 * and fits varchar(64) (Redshift rejects a longer value). The ledger keeps
 * the full batch id next to it.
 */
export function newRunId(batchId: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '').slice(0, 15);
  return `${batchId.slice(0, RUN_ID_MAX_LENGTH - SUFFIX_LENGTH)}-${stamp}-${randomBytes(3).toString('hex')}`;
}
