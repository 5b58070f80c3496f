import '../functions/local/polyfills.js';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { loadStateMachineDefinition } from '../functions/local/localRunner.js';
import { parseFreshness } from '../functions/core/config.js';
import type { Row, Statement, WarehouseEngine } from '../functions/core/engine/types.js';
import type { Lake } from '../functions/core/lake/lake.js';
import { recordFailure, type RecordFailureInput } from '../functions/core/steps/recordFailure.js';
import { PIPELINE_STEP_NAMES, type PipelineStepName } from '../functions/core/steps/registry.js';

const BATCH = { batchId: '2024-01-02', runId: '2024-01-02-20240103T010000-a1b2c3', tables: ['orders'], pendingAfter: 0, reason: null };

/** What each Lambda state returns when it succeeds (the fields its ResultSelector reads). */
const RESULTS: Record<PipelineStepName, unknown> = {
  DiscoverBatch: BATCH,
  LoadStaging: { tables: [] },
  BuildDimensions: { versionsCreated: 0 },
  BuildFacts: { factRowsUpserted: 0 },
  BuildMarts: { loadSeq: 1, restatements: 0 },
  ValidateBatch: { passed: 1, warned: 0, failed: 0 },
  MarkBatchDone: null,
  RecordFailure: { subject: 'unused', message: 'unused' },
};

/** SNS Publish's rules for a Subject (SNS API reference): ASCII, no line breaks or control characters, under 100 characters. */
function snsPublish(input: { Subject?: string }): { MessageId: string } {
  if (input.Subject !== undefined && !/^[\x20-\x7e]{1,99}$/.test(input.Subject)) {
    throw Object.assign(new Error(`Invalid parameter: Subject (${input.Subject.length} characters)`), { name: 'SNS.InvalidParameterException' });
  }
  return { MessageId: 'm-1' };
}

const quietEngine: WarehouseEngine = {
  dialect: 'redshift',
  transaction: async (_statements: readonly Statement[]) => undefined,
  loadParquet: () => ({ sql: '' }),
  query: async (): Promise<Row[]> => [],
  close: async () => undefined,
};
const lake: Lake = {
  location: 's3://lake',
  listRawBatches: async () => new Map(),
  listRawFiles: async () => [],
  listRawObjects: async () => [],
  hashObject: async () => '',
  readManifest: async () => null,
};

/** Runs the real ASL for one requested batch with stub tasks; `fail` decides, per state and attempt, what a task throws. */
async function run(fail: (state: string, attempt: number) => Error | undefined) {
  const attempts = new Map<string, number>();
  const published: { Subject: string; Message: string }[] = [];
  const task = (state: string, result: () => Promise<unknown>) => async () => {
    const attempt = (attempts.get(state) ?? 0) + 1;
    attempts.set(state, attempt);
    const error = fail(state, attempt);
    if (error) throw error;
    return result();
  };
  const handlers: Record<string, (input: never) => Promise<unknown>> = Object.fromEntries(
    PIPELINE_STEP_NAMES.map((name) => [name, task(name, async () => ({ Payload: RESULTS[name] }))]),
  );
  handlers.RecordFailure = async (input: { Payload: RecordFailureInput }) => {
    const attempt = (attempts.get('RecordFailure') ?? 0) + 1;
    attempts.set('RecordFailure', attempt);
    const error = fail('RecordFailure', attempt);
    if (error) throw error;
    const context = { engine: quietEngine, lake, config: { environment: 'prod', freshness: parseFreshness(undefined) } };
    return { Payload: await recordFailure(context, input.Payload) };
  };
  handlers.NormalizeTable = task('NormalizeTable', async () => ({ Arguments: { '--table': 'orders' }, JobRunState: 'SUCCEEDED' }));
  handlers.PublishAlert = async (input: { Subject: string; Message: string }) => {
    const answer = snsPublish(input);
    published.push(input);
    return answer;
  };
  const machine = new StateMachine(loadStateMachineDefinition(), { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(
    { request: { batchId: BATCH.batchId } },
    {
      context: { Execution: { Id: 'arn:aws:states:eu-west-1:123456789012:execution:ecomdw-prod-pipeline:e1' } },
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        retryIntervalOverrides: Object.fromEntries([...PIPELINE_STEP_NAMES, 'NormalizeTable', 'PublishAlert'].map((n) => [n, 0])),
      },
    },
  );
  try {
    await execution.result;
    return { failed: null as string | null, attempts, published };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    return { failed: (error.cause as Error | undefined)?.name ?? error.name, attempts, published };
  }
}

const named = (name: string, message = 'boom'): Error => Object.assign(new Error(message), { name });

describe('Alerting on a failed execution', () => {
  it('publishes the subject RecordFailure built, which SNS accepts, however long the error name', async () => {
    // Prepare
    const longName = `Lambda.${'VeryLongCustomError'.repeat(8)}`;

    // Act
    const result = await run((state) => (state === 'LoadStaging' ? named(longName) : undefined));

    // Assess
    expect(result.published).toHaveLength(1);
    expect(result.published[0]?.Subject).toMatch(/^ecomdw prod: batch 2024-01-02 failed \(Lambda\.VeryLong/);
    expect(result.published[0]?.Subject.length).toBeLessThan(100);
    expect(result.failed).toBe(longName);
  });

  it('still publishes an alert when RecordFailure itself fails', async () => {
    // Act
    const result = await run((state) => (state === 'BuildFacts' ? named('WarehouseStatementError') : state === 'RecordFailure' ? named('AccessDeniedException') : undefined));

    // Assess
    expect(result.published).toHaveLength(1);
    expect(result.published[0]?.Subject).toMatch(/^ecomdw: pipeline failed/);
    expect(JSON.parse(result.published[0]?.Message ?? '{}')).toMatchObject({ Error: 'WarehouseStatementError' });
    expect(result.failed).toBe('WarehouseStatementError');
  });
});

describe('Retrying transient warehouse errors', () => {
  const steps = PIPELINE_STEP_NAMES.filter((name) => name !== 'RecordFailure');

  it.each(steps.flatMap((step) => [[step, 'DatabaseConnectionException'], [step, 'InternalServerException']]))(
    '%s retries %s and the execution succeeds',
    async (step, error) => {
      // Act: the warehouse is resuming for the first two attempts.
      const result = await run((state, attempt) => (state === step && attempt <= 2 ? named(error, 'Redshift Serverless is resuming') : undefined));

      // Assess
      expect(result.failed).toBeNull();
      expect(result.attempts.get(step)).toBe(3);
      expect(result.published).toEqual([]);
    },
  );
});
