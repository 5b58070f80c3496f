import { randomBytes } from 'node:crypto';
import { DataQualityError, LakeError } from '../errors.js';
import { sqlStatement, sqlStatements } from '../sql/files.js';
import { bootstrapWarehouse } from './bootstrap.js';
import type { StepContext } from './context.js';
import { recordedTestResults, validateBatch, type TestResult } from './validateBatch.js';

export interface WarehouseValidation {
  readonly runId: string;
  readonly passed: number;
  readonly warned: number;
  readonly failed: number;
  readonly results: TestResult[];
}

/**
 * `ecomdw validate`: the data-quality suite over the whole warehouse (every
 * order, not just a batch's), recorded in audit.test_results under its own run id.
 */
export async function validateWarehouse(context: StepContext): Promise<WarehouseValidation> {
  const { engine } = context;
  // Checked before the bootstrap: a database that is no warehouse is not turned into one.
  const ledger = await engine.query(sqlStatement('steps/validate_warehouse/ledger_exists.sql', engine.dialect));
  const done = Number(ledger[0]?.n ?? 0) === 0 ? [] : await engine.query(sqlStatement('steps/validate_warehouse/done_batches.sql', engine.dialect));
  if (Number(done[0]?.n ?? 0) === 0) throw new LakeError('the warehouse holds no processed batch yet: run `ecomdw run` first');
  await bootstrapWarehouse(engine);
  // The fact tests read the batch's affected orders: this run's are every order (sql/scope).
  const runId = `validate-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const scope = { batch_id: runId };
  await engine.transaction(sqlStatements('scope/every_order.sql', engine.dialect, scope));
  try {
    const result = await validateBatch(context, { batchId: runId, runId, tables: [] }, { wholeWarehouse: true });
    return { runId, passed: result.passed, warned: result.warned, failed: result.failed, results: result.results };
  } catch (error) {
    if (!(error instanceof DataQualityError)) throw error;
    const results = await recordedTestResults(engine, runId);
    const count = (s: string) => results.filter((r) => r.status === s).length;
    return { runId, passed: count('pass'), warned: count('warn'), failed: count('fail'), results };
  } finally {
    await engine.transaction(sqlStatements('scope/remove.sql', engine.dialect, scope));
  }
}
