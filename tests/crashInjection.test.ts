import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type RunPipelineOptions } from '../functions/local/localRunner.js';
import type { StepContext } from '../functions/core/steps/context.js';
import { PIPELINE_STEPS, type PipelineStepName } from '../functions/core/steps/registry.js';
import { writeCrashLake } from './helpers/crashLake.js';
import { countingEngine, describeFault, faultsOf, faultyEngine, fingerprint, INJECTED, runAndKill, type Fault, type StepTransactions } from './helpers/faults.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { diffDw } from './helpers/warehouse.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

/**
 * Crash injection (issue 11, point 1): batch b2 of a three-batch lake is
 * interrupted at every step boundary by SIGKILL of a real `ecomdw run`, and
 * after every statement and every commit of every warehouse step by an engine
 * that fails there; each time the warehouse after a normal re-run (and after
 * `--force --batch b2`) must equal an uninterrupted run's, EXCEPT ALL both
 * ways, batch_id ignored; after a normal re-run each batch's figures in
 * audit.runs (VersionsCreated, FactRowsUpserted, tests) are the uninterrupted
 * run's too. The warehouse after b1 is copied, never re-built.
 */

const config = TEST_CONFIG;

/** The warehouse steps of b2, in the order the state machine runs them. */
const STEPS = ['DiscoverBatch', 'LoadStaging', 'BuildDimensions', 'BuildFacts', 'BuildMarts', 'ValidateBatch', 'MarkBatchDone'] as const satisfies readonly PipelineStepName[];
type Step = (typeof STEPS)[number];

/** Progress lines a step boundary prints (cli/output.ts): the step has committed. */
const BOUNDARIES = ['DiscoverBatch', 'NormalizeTable', 'LoadStaging', 'BuildDimensions', 'BuildFacts', 'BuildMarts', 'ValidateBatch', 'MarkBatchDone'] as const;

/** What a crash may leave behind and a re-run must set right: everything but the audit trail. */
const DURABLE_SCHEMAS = ['dw', 'history', 'staging'] as const;

let dir = '';
let cleanup: () => void = () => undefined;
let lake = '';
/** The uninterrupted run of every batch. */
let reference = '';
/** The warehouse after b1, copied for every case. */
let afterB1 = '';
/** The warehouse file just before each step of b2 ran, and after the last. */
const before = new Map<Step | 'end', string>();
/** The warehouse file after the k-th transaction of a step of b2 committed (key `step#k`). */
const afterTransaction = new Map<string, string>();
/** What each step of b2 returned and was given, and the sizes of its transactions. */
const recorded = new Map<Step, { payload: unknown; result: unknown; transactions: StepTransactions }>();
let cases = 0;
/** The step-boundary states whose re-runs were already checked (each fault leaves one of them). */
const converged = new Set<string>();

const file = (name: string) => path.join(dir, `${name}.duckdb`);
const copy = (from: string, name: string): string => {
  copyFileSync(from, file(name));
  return file(name);
};
const run = (db: string, more: Partial<RunPipelineOptions> = {}) => runPipeline({ lakeDir: lake, dbPath: db, config, ...more });

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('ecomdw-crash-matrix-'));
  lake = path.join(dir, 'lake');
  writeCrashLake(lake);
  reference = file('reference');
  const uninterrupted = await run(reference);
  if (uninterrupted.failure) throw new Error(`uninterrupted run failed: ${uninterrupted.failure.message}`);
  afterB1 = file('after-b1');
  await run(afterB1, { batchId: 'b1' });

  // b2 once more, stopping before each step to keep a copy of the warehouse file.
  const instrumented = copy(afterB1, 'instrumented');
  const overrides: RunPipelineOptions['overrides'] = {};
  for (const step of STEPS) {
    overrides[step] = async (payload: unknown, context: StepContext) => {
      await context.engine.query({ label: 'checkpoint', sql: 'checkpoint' });
      before.set(step, copy(instrumented, `before-${step}`));
      const transactions: StepTransactions = [];
      const committed = async (k: number) => {
        await context.engine.query({ label: 'checkpoint', sql: 'checkpoint' });
        afterTransaction.set(`${step}#${k}`, copy(instrumented, `after-${step}-${k}`));
      };
      const result = await PIPELINE_STEPS[step]({ ...context, engine: countingEngine(context.engine, transactions, committed) }, payload);
      recorded.set(step, { payload, result, transactions });
      return result;
    };
  }
  const b2 = await run(instrumented, { batchId: 'b2', overrides });
  if (b2.failure) throw new Error(`instrumented b2 failed: ${b2.failure.message}`);
  before.set('end', copy(instrumented, 'after-b2'));
});

afterAll(() => {
  const faults = STEPS.map((step) => `${step} ${faultsOf(recorded.get(step)?.transactions ?? []).length}`).join(', ');
  process.stderr.write(`crash injection: ${cases} cases (${BOUNDARIES.length} kills; faults: ${faults})\n`);
  cleanup();
});

/** Each batch's figures in audit.runs, from its last successful run. */
const FIGURES = `select batch_id, versions_created, fact_rows_upserted, tests_passed, tests_warned, tests_failed
  from audit.runs qualify row_number() over (partition by batch_id order by finished_at desc) = 1 order by batch_id`;

/** A normal re-run (every pending batch) reaches the uninterrupted warehouse, and reports the same figures per batch. */
async function expectNormalRerunConverges(crashed: string): Promise<void> {
  const rerun = await run(crashed);
  expect(rerun.failure?.message ?? null).toBeNull();
  expect(await diffDw(reference, crashed)).toEqual([]);
  expect(await queryDuckDb(crashed, FIGURES)).toEqual(await queryDuckDb(reference, FIGURES));
}

/** `--force --batch b2`, then a normal run for what is left, reaches the uninterrupted warehouse. */
async function expectForcedRerunConverges(crashed: string): Promise<void> {
  const forced = await run(crashed, { batchId: 'b2', force: true });
  expect(forced.failure?.message ?? null).toBeNull();
  const rest = await run(crashed);
  expect(rest.failure?.message ?? null).toBeNull();
  expect(await diffDw(reference, crashed)).toEqual([]);
}

/** The progress line of b2's step: the discovery that finds b2 names it after the arrow, the steps after it carry it in brackets. */
function boundaryLine(boundary: (typeof BOUNDARIES)[number]): RegExp {
  return boundary === 'DiscoverBatch' ? /^\s*DiscoverBatch\b.*→ batch b2\b/ : new RegExp(`^\\s*\\[b2\\] ${boundary}\\b`);
}

describe('A real `ecomdw run` killed with SIGKILL at a step boundary of b2', () => {
  it.each(BOUNDARIES)('converges after the kill right after %s', async (boundary) => {
    // Prepare
    const db = copy(afterB1, `kill-${boundary}`);

    // Act
    const killed = await runAndKill(['--lake', lake, '--db', db], boundaryLine(boundary));

    // Assess
    expect(killed.killed, killed.stderr).toBe(true);
    expect(killed.signal).toBe('SIGKILL');
    cases += 1;
    await expectNormalRerunConverges(db);
  }, 300_000);
});

const prints = new Map<string, Promise<Record<string, string>>>();
/** A snapshot's fingerprint, computed once. */
function printOf(db: string): Promise<Record<string, string>> {
  let print = prints.get(db);
  if (print === undefined) {
    print = fingerprint(db, DURABLE_SCHEMAS);
    prints.set(db, print);
  }
  return print;
}

describe('A failure after each statement and each commit of each step of b2', () => {
  // The steps before the faulty one are already in the copied warehouse file: the
  // state machine runs them again as no-ops that return what they returned.
  function skipTo(step: Step): RunPipelineOptions['overrides'] {
    const skipped: RunPipelineOptions['overrides'] = {};
    for (const earlier of STEPS.slice(0, STEPS.indexOf(step))) {
      skipped[earlier] = async () => recorded.get(earlier)?.result;
    }
    if (step !== 'DiscoverBatch') skipped.NormalizeTable = async () => undefined;
    return skipped;
  }

  /**
   * The state the fault must leave: the step's transactions before the faulty one
   * committed, none of the faulty one (before the step, after one of its
   * transactions, or after the step when its last commit was the fault).
   */
  function expectedAfter(step: Step, fault: Fault): string {
    const transactions = recorded.get(step)?.transactions ?? [];
    const next = STEPS[STEPS.indexOf(step) + 1] ?? 'end';
    let committed = 0;
    if (fault.kind === 'commit') committed = fault.transaction;
    else {
      // the statement's transaction: those before it committed
      let statementsBefore = 0;
      while (committed < transactions.length && statementsBefore + (transactions[committed] ?? 0) < fault.at) {
        statementsBefore += transactions[committed] ?? 0;
        committed += 1;
      }
    }
    if (committed === 0) return before.get(step) ?? '';
    if (committed === transactions.length) return before.get(next) ?? '';
    return afterTransaction.get(`${step}#${committed}`) ?? '';
  }

  it.each(STEPS)('leaves each transaction of %s all or nothing at every fault, and every state it leaves converges', async (step) => {
    const faults = faultsOf(recorded.get(step)?.transactions ?? []);
    expect(faults.length).toBeGreaterThan(1);
    const states = new Map<string, string>();
    for (const fault of faults) {
      // Prepare
      const name = `${step}-${describeFault(fault).replaceAll(' ', '-')}`;
      const db = copy(before.get(step) ?? '', name);

      // Act
      const summary = await run(db, {
        batchId: 'b2',
        overrides: {
          ...skipTo(step),
          [step]: (payload: unknown, context: StepContext) => PIPELINE_STEPS[step]({ ...context, engine: faultyEngine(context.engine, fault) }, payload),
        },
      });

      // Assess: the run failed at the fault, and the warehouse is what the step's transactions say.
      cases += 1;
      expect(summary.failure?.message, name).toContain(INJECTED);
      const expected = expectedAfter(step, fault);
      expect(await fingerprint(db, DURABLE_SCHEMAS), name).toEqual(await printOf(expected));
      if (!states.has(expected)) states.set(expected, db);
    }
    // Each distinct state the faults left (a step or transaction boundary, equal but for the
    // audit trail to what every other fault there left): a forced re-run of b2 reaches the uninterrupted
    // warehouse, and so does a normal one.
    for (const [expected, db] of states) {
      if (converged.has(expected)) continue;
      converged.add(expected);
      const normal = copy(db, `${path.basename(db, '.duckdb')}-normal`);
      await expectForcedRerunConverges(db);
      await expectNormalRerunConverges(normal);
    }
  }, 600_000);
});

describe('The lake after every crash', () => {
  it('keeps no half-written normalization output once the runs are over', () => {
    // Assess
    const leftovers = ['silver', 'quarantine'].flatMap((zone) =>
      existsSync(path.join(lake, zone))
        ? readdirSync(path.join(lake, zone)).flatMap((table) => readdirSync(path.join(lake, zone, table)).filter((f) => /\.tmp-\d+$/.test(f)))
        : [],
    );
    expect(leftovers).toEqual([]);
  });
});
