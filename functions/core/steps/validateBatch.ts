import { AUDIT_LIMITS } from '../auditLimits.js';
import { DataQualityError } from '../errors.js';
import { MAX_TRANSACTION_STATEMENTS, type Statement, type WarehouseEngine } from '../engine/types.js';
import { readSqlFile, sqlStatement } from '../sql/files.js';
import { renderSql, sqlNow } from '../sql/render.js';
import type { BatchRef, StepContext, StepMetric } from './context.js';
import { dataTests, type DataTest, type SuiteScope } from './dataTests.js';

/** One recorded test result. */
export interface TestResult {
  readonly test: string;
  readonly model: string;
  readonly severity: string;
  readonly status: 'pass' | 'warn' | 'fail';
  readonly failingRows: number;
  readonly sampleKeys: string | null;
}

export interface ValidateBatchResult {
  readonly passed: number;
  readonly warned: number;
  readonly failed: number;
  readonly results: TestResult[];
  readonly metrics: StepMetric[];
}

/**
 * Step 6: runs the data-quality suite over the batch's scope and records every
 * result in audit.test_results (committed even when a test fails, so the
 * failure is inspectable); an error-severity failure then fails the step.
 */
export async function validateBatch(context: StepContext, batch: BatchRef, scope: SuiteScope = {}): Promise<ValidateBatchResult> {
  const { engine } = context;
  const tests = dataTests(context.config, scope);
  const statements: Statement[] = [
    sqlStatement('steps/validate_batch/clear_results.sql', engine.dialect, { run_id: batch.runId }),
    ...tests.map((t) => resultStatement(t, batch, engine.dialect)),
  ];
  // More tests than a transaction may carry go in several; each starts over for its run (the clear), so a retry repeats nothing.
  for (let i = 0; i < statements.length; i += MAX_TRANSACTION_STATEMENTS) {
    await engine.transaction(statements.slice(i, i + MAX_TRANSACTION_STATEMENTS));
  }
  const results = await recordedTestResults(engine, batch.runId);
  const count = (status: TestResult['status']) => results.filter((r) => r.status === status).length;
  const summary = { passed: count('pass'), warned: count('warn'), failed: count('fail') };
  const metrics: StepMetric[] = [
    { name: 'TestsFailed', value: summary.failed, unit: 'Count' },
    { name: 'TestsWarned', value: summary.warned, unit: 'Count' },
  ];
  const failures = results.filter((r) => r.status === 'fail');
  if (failures.length > 0) {
    const detail = failures.map((f) => `${f.test} (${f.failingRows} rows, e.g. ${f.sampleKeys ?? '-'})`).join('; ');
    // The figures travel with the error: the handler emits them before failing (the validation alarm watches TestsFailed).
    throw new DataQualityError(`batch ${batch.batchId}: ${failures.length} error-severity test(s) failed: ${detail}`, failures.map((f) => f.test), {
      metrics: [
        { name: 'TestsFailed', value: summary.failed, unit: 'Count' },
        { name: 'TestsWarned', value: summary.warned, unit: 'Count' },
      ],
    });
  }
  return { ...summary, results, metrics };
}

// Test names, models and severities are the suite's own constants (never
// input), so they are written into the statement; values are bound.
function resultStatement(test: DataTest, batch: BatchRef, dialect: StepContext['engine']['dialect']): Statement {
  const query = renderSql(readSqlFile(test.file), dialect, `sql/${test.file}`).trim();
  const failStatus = test.severity === 'error' ? 'fail' : 'warn';
  const sample = renderSql(`{{ string_agg(case when failures.sample_rank <= 5 then failures.failure_key end) }}`, dialect);
  // Five keys of up to 256 bytes each do not always fit sample_keys: cut in bytes, as Redshift counts them.
  const sampleKeys = renderSql(`{{ truncate_bytes(sampled.sample_keys, ${AUDIT_LIMITS.sampleKeys}) }}`, dialect);
  return {
    label: test.name,
    sql: `insert into audit.test_results (run_id, batch_id, test_name, model, severity, status, failing_rows, sample_keys, tested_at)
select :run_id, :batch_id, '${test.name}', '${test.model}', '${test.severity}',
    case when sampled.failing_rows = 0 then 'pass' else '${failStatus}' end,
    sampled.failing_rows,
    ${sampleKeys},
    ${sqlNow(dialect)}
from (
    select count(*) as failing_rows, ${sample} as sample_keys
    from (
        select
            failing.failure_key,
            row_number() over (order by failing.failure_key) as sample_rank
        from (
${query}
        ) as failing
    ) as failures
) as sampled`,
    params: { run_id: batch.runId, batch_id: batch.batchId, ...test.params },
  };
}

/** The test results a run recorded in audit.test_results, as validate reports them. */
export async function recordedTestResults(engine: WarehouseEngine, runId: string): Promise<TestResult[]> {
  const rows = await engine.query(sqlStatement('steps/validate_batch/results.sql', engine.dialect, { run_id: runId }));
  return rows.map(
    (r): TestResult => ({
      test: String(r.test_name),
      model: String(r.model),
      severity: String(r.severity),
      status: String(r.status) as TestResult['status'],
      failingRows: Number(r.failing_rows),
      sampleKeys: r.sample_keys === null ? null : String(r.sample_keys),
    }),
  );
}
