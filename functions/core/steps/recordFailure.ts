import { AUDIT_LIMITS, cutToBytes } from '../auditLimits.js';
import { sqlStatement } from '../sql/files.js';
import type { StepContext } from './context.js';
import { releaseLeaseStatement } from './lease.js';

/** SNS: a Subject is ASCII, without line breaks or control characters, and under 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;

/** The error Step Functions caught (`Error` = the error's name, `Cause` = its message or JSON). */
export interface CaughtError {
  readonly Error?: string;
  readonly Cause?: string;
}

/** The whole state at the Catch: the batch may not be known yet (discovery failed). */
export interface RecordFailureInput {
  readonly batch?: { readonly batchId?: string | null; readonly runId?: string | null };
  /** The failed execution: its pipeline lease (if it holds it) is released. */
  readonly executionId?: string;
  readonly error: CaughtError;
}

/** What the alert says. */
export interface FailureAlert {
  readonly subject: string;
  readonly message: string;
  /** The caught error's name (Step Functions' `Error`), carried as it is rather than read back from the text. */
  readonly errorName: string;
}

/**
 * The Catch path: leaves the batch not done (status failed, with the error)
 * and records the alert in audit.alerts; the state machine then publishes it.
 */
export async function recordFailure(context: StepContext, input: RecordFailureInput): Promise<FailureAlert> {
  const batchId = input.batch?.batchId ?? null;
  const runId = input.batch?.runId ?? null;
  const errorName = input.error.Error ?? 'UnknownError';
  const cause = causeMessage(input.error.Cause);
  const where = batchId ? `batch ${batchId}` : 'discovery';
  const alert: FailureAlert = {
    subject: snsSubject(`ecomdw ${context.config.environment}: ${where} failed (${errorName})`),
    // audit.alerts.message and audit.batches.error share the limit: one cut text serves both.
    message: cutToBytes(`${errorName}: ${cause}`, Math.min(AUDIT_LIMITS.alertMessage, AUDIT_LIMITS.batchError)),
    errorName,
  };
  try {
    await context.engine.transaction([
      ...(batchId && runId ? [sqlStatement('steps/record_failure/mark_failed.sql', context.engine.dialect, { batch_id: batchId, run_id: runId, error: alert.message })] : []),
      sqlStatement('steps/record_failure/record_alert.sql', context.engine.dialect, {
        run_id: runId ?? '-',
        batch_id: batchId ?? '-',
        error_name: cutToBytes(errorName, AUDIT_LIMITS.alertErrorName),
        message: alert.message,
      }),
      // A no-op when another execution holds the lease (this one failed to get it).
      ...(input.executionId ? [releaseLeaseStatement(input.executionId)] : []),
    ]);
  } catch {
    // The warehouse itself may be what failed (locked, unreachable): the alert
    // must still go out, so recording it is best-effort.
  }
  return alert;
}

/** A subject SNS accepts: printable ASCII only (anything else becomes `?`), at most 99 characters. */
export function snsSubject(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_SUBJECT_LENGTH);
}

// Lambda failures arrive as a JSON Cause ({"errorMessage": ...}); local ones as text.
function causeMessage(cause: string | undefined): string {
  if (!cause) return 'no details';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
