import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeOf } from '../cli/exitCodes.js';
import * as errors from '../functions/core/errors.js';
import { ChartRenderError, ReportDocumentError } from '../functions/report/html/errors.js';
import { OlistDataError, OlistSourceError } from '../importers/olist/errors.js';
import { StackConfigError } from '../infra/config.js';

/** One instance of every error class the project throws on purpose, each with its expected exit code. */
const CASES: readonly [errors.EcomdwError, number][] = [
  [new errors.ConfigError('bad --scale'), EXIT.usage],
  [new errors.LakeError('no lake'), EXIT.usage],
  [new errors.BatchError('bad batch id'), EXIT.usage],
  [new errors.WarehouseLockedError('held'), EXIT.usage],
  [new errors.WarehouseNotFoundError('no file'), EXIT.usage],
  [new errors.WarehouseOpenError('not a warehouse'), EXIT.usage],
  [new StackConfigError(['scheduleExpression: bad']), EXIT.usage],
  [new OlistSourceError('missing csv'), EXIT.usage],
  [new errors.WarehouseStatementError('failed', 'select 1'), EXIT.failed],
  [new errors.PipelineBusyError('busy'), EXIT.failed],
  [new errors.WarehouseTimeoutError('late'), EXIT.failed],
  [new errors.WarehouseThrottledError('throttled'), EXIT.failed],
  [new errors.DataQualityError('tests failed', []), EXIT.failed],
  [new errors.SqlTemplateError('bad macro'), EXIT.failed],
  [new errors.NormalizationError('unreadable'), EXIT.failed],
  [new OlistDataError('does not reconcile', 1), EXIT.failed],
  [new ReportDocumentError('not a report'), EXIT.failed],
  [new ChartRenderError('chart failed'), EXIT.failed],
];

describe('Errors: two bases that decide the exit code', () => {
  it.each(CASES.map(([error, code]) => [error.name, error, code] as const))('%s exits %i', (_name, error, code) => {
    // Assess
    expect(exitCodeOf(error)).toBe(code);
    expect(error instanceof errors.UsageError).toBe(code === EXIT.usage);
    expect(error instanceof errors.PipelineError).toBe(code === EXIT.failed);
  });

  it('keeps each error\'s own name, which Step Functions Retry and Catch match', () => {
    // Assess
    expect(CASES.map(([error]) => error.name).filter((name) => name === 'UsageError' || name === 'PipelineError' || name === 'Error')).toEqual([]);
    expect(new StackConfigError(['a', 'b']).message).toBe('invalid stack configuration:\n  - a\n  - b');
  });

  it('covers every error class exported by the shared errors module', () => {
    // Assess: a new class must be added above, with its exit code
    const exported = Object.entries(errors).filter(([name]) => !['EcomdwError', 'UsageError', 'PipelineError', 'InterruptedError'].includes(name)).map(([name]) => name);
    expect(exported.filter((name) => !CASES.some(([error]) => error.name === name)).sort()).toEqual([]);
  });
});
