import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfflinePostgres } from '../offline/postgres/embeddedPostgres.js';
import type { PostgresEngine } from '../offline/postgres/postgresEngine.js';
import { runStateMachine } from '../offline/runStateMachine.js';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import type { SourceTable } from '../functions/core/contract.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import type { StepContext } from '../functions/core/steps/context.js';
import { discoverBatch } from '../functions/core/steps/discoverBatch.js';
import { LEASE_TTL_SECONDS } from '../functions/core/steps/lease.js';
import { normalizeTable } from '../functions/core/steps/normalizeTable.js';
import { loadStateMachineDefinition } from '../functions/local/localRunner.js';
import { offlineWarehouse, startPostgres } from './helpers/offlineWarehouse.js';
import { tempDir, writeRaw } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const config = TEST_CONFIG;
const FIRST = 'arn:aws:states:eu-west-1:123456789012:execution:ecomdw-test-pipeline:scheduled-0600';
const SECOND = 'arn:aws:states:eu-west-1:123456789012:execution:ecomdw-test-pipeline:manual-start';

/** Two executions against one Redshift SQL warehouse (PostgreSQL), each with its own connection as Lambda would have. */
describe('The pipeline lease', () => {
  let server: OfflinePostgres;
  let lake: LocalLake;
  let lakeDir: string;
  let cleanup: () => void;
  const open: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir('ecomdw-lease-'));
    lakeDir = path.join(dir, 'lake');
    for (const batch of ['2024-01-01', '2024-01-02']) writeRaw(lakeDir, 'customers', batch, 'a.csv', `customer_id,updated_at\nc-${batch},${batch}T00:00:00Z\n`);
    lake = new LocalLake(lakeDir);
    server = await startPostgres();
  });

  afterAll(async () => {
    for (const engine of open) await engine.close();
    await server?.stop();
    cleanup?.();
  });

  /** A fresh warehouse database and `count` engines (connections) on it. */
  async function warehouse(count: number): Promise<PostgresEngine[]> {
    const first = await offlineWarehouse(server, lakeDir);
    const engines = [first.engine];
    const { PostgresEngine: Engine } = await import('../offline/postgres/postgresEngine.js');
    const { LocalFolderObjects } = await import('../offline/postgres/parquetCopy.js');
    const { OFFLINE_BUCKET, OFFLINE_COPY_ROLE } = await import('./helpers/offlineWarehouse.js');
    for (let i = 1; i < count; i++) {
      engines.push(await Engine.open({ connection: first.connection, lakeBucket: OFFLINE_BUCKET, copyRoleArn: OFFLINE_COPY_ROLE, objects: new LocalFolderObjects(OFFLINE_BUCKET, lakeDir) }));
    }
    open.push(...engines);
    return engines;
  }

  const context = (engine: StepContext['engine']): StepContext => ({ engine, lake, config });

  it('lets exactly one of two executions starting at once run; the other fails fast with PipelineBusyError', async () => {
    // Prepare
    const [a, b] = (await warehouse(2)) as [PostgresEngine, PostgresEngine];
    await discoverBatch(context(a), { request: { batchId: '2024-01-02' }, executionId: 'warm-up' }).catch(() => undefined);
    await a.transaction([{ sql: 'delete from audit.pipeline_lease' }, { sql: 'delete from audit.batches' }]);

    // Act
    const outcomes = await Promise.allSettled([
      discoverBatch(context(a), { request: {}, executionId: FIRST }),
      discoverBatch(context(b), { request: {}, executionId: SECOND }),
    ]);
    const ledger = await a.query({ sql: `select batch_id, status, attempts from audit.batches` });

    // Assess
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0]?.reason as Error).name).toBe('PipelineBusyError');
    expect((rejected[0]?.reason as Error).message).toMatch(/another execution is running the pipeline: arn:aws:states:.*(scheduled-0600|manual-start) holds the warehouse lease/);
    expect(ledger).toEqual([{ batch_id: '2024-01-01', status: 'running', attempts: 1 }]);
  });

  it('fails a second execution of the state machine at DiscoverBatch, alerts, and leaves the running batch alone', async () => {
    // Prepare
    const [a, b] = (await warehouse(2)) as [PostgresEngine, PostgresEngine];
    const running = await discoverBatch(context(a), { request: {}, executionId: FIRST });

    // Act
    const second = await runStateMachine({ context: context(b), normalize: async () => undefined, executionId: SECOND });
    const ledger = await a.query({ sql: `select batch_id, run_id, status from audit.batches` });
    const alerts = await a.query({ sql: `select error_name from audit.alerts` });

    // Assess
    expect(second.failure?.error).toBe('PipelineBusyError');
    expect(second.states).toEqual(['DiscoverBatch', 'RecordFailure', 'PublishAlert']);
    expect(second.published[0]?.Subject).toBe('ecomdw test: discovery failed (PipelineBusyError)');
    expect(ledger).toEqual([{ batch_id: running.batchId, run_id: running.runId, status: 'running' }]);
    expect(alerts).toEqual([{ error_name: 'PipelineBusyError' }]);
  });

  it('lets a new execution take over a lease left by an execution that is gone, once it expired', async () => {
    // Prepare: the lease of an execution stopped by hand 7 hours ago.
    const [a] = (await warehouse(1)) as [PostgresEngine];
    await discoverBatch(context(a), { request: {}, executionId: FIRST });
    await a.transaction([{ sql: `update audit.pipeline_lease set acquired_at = dateadd(hour, -7, sysdate)` }]);

    // Act
    const found = await discoverBatch(context(a), { request: {}, executionId: SECOND });
    const [lease] = await a.query({ sql: `select holder from audit.pipeline_lease` });

    // Assess
    expect(found.batchId).toBe('2024-01-01');
    expect(lease).toEqual({ holder: SECOND });
  });

  it('releases the lease when an execution ends, so the next one starts at once', async () => {
    // Prepare
    const [a, b] = (await warehouse(2)) as [PostgresEngine, PostgresEngine];
    const normalize = async (table: string, batchId: string): Promise<void> => {
      await normalizeTable(lake, { table: table as SourceTable, batchId });
    };

    // Act
    const first = await runStateMachine({ context: context(a), normalize, executionId: FIRST, request: { batchId: '2024-01-01' } });
    const leaseAfterFirst = await a.query({ sql: `select holder from audit.pipeline_lease` });
    const second = await runStateMachine({ context: context(b), normalize, executionId: SECOND });
    const leaseAfterSecond = await a.query({ sql: `select holder from audit.pipeline_lease` });

    // Assess
    expect(first.failure).toBeNull();
    expect(leaseAfterFirst).toEqual([]);
    expect(second.failure).toBeNull();
    expect(leaseAfterSecond).toEqual([]);
    expect(await a.query({ sql: `select batch_id, status from audit.batches order by batch_id` })).toEqual([
      { batch_id: '2024-01-01', status: 'done' },
      { batch_id: '2024-01-02', status: 'done' },
    ]);
  });

  it('outlives the longest execution the state machine allows', () => {
    // Assess
    expect(LEASE_TTL_SECONDS).toBeGreaterThan((loadStateMachineDefinition() as { TimeoutSeconds: number }).TimeoutSeconds);
  });

  it('is taken over locally, where the DuckDB file already admits one process', async () => {
    // Prepare
    const engine = await DuckDbEngine.open({ path: path.join(lakeDir, '..', 'local.duckdb'), lakeRoot: lakeDir });
    open.push(engine);
    await discoverBatch(context(engine), { request: {}, executionId: 'local:killed-run' });

    // Act
    const found = await discoverBatch(context(engine), { request: {}, executionId: 'local:next-run' });

    // Assess
    expect(found.batchId).toBe('2024-01-01');
  });
});
