/** The ids that tie a log line to its execution and batch. */
export interface CorrelationIds {
  readonly execution_id?: string;
  readonly batch_id?: string;
  readonly run_id?: string;
}

/**
 * The execution id (Step Functions passes `$$.Execution.Id` as `executionId`
 * when the state machine sends it), the batch id and the run id, wherever the
 * state put them: at the top of the payload (steps) or under `batch`
 * (RecordFailure gets the whole state).
 */
export function correlationIdsOf(payload: unknown): CorrelationIds {
  const top = asRecord(payload);
  const batch = asRecord(top.batch);
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const ids: Record<string, string | undefined> = {
    execution_id: text(top.executionId),
    batch_id: text(top.batchId) ?? text(batch.batchId) ?? text(asRecord(top.request).batchId),
    run_id: text(top.runId) ?? text(batch.runId),
  };
  return Object.fromEntries(Object.entries(ids).filter(([, v]) => v !== undefined)) as CorrelationIds;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}
