import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../functions/local/localRunner.js';
import type { StepContext } from '../functions/core/steps/context.js';
import { writeCrashLake } from './helpers/crashLake.js';
import { fingerprint } from './helpers/faults.js';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the CLI in one process (as `npm run ecomdw` does) and sends it a signal when a stderr line matches. */
function runAndSignal(args: readonly string[], at: RegExp, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (!sent && stderr.split('\n').some((line) => at.test(line))) sent = child.kill(signal);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** The processes below a pid, children first (read from /proc). */
function descendantsOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return [...children, ...children.flatMap(descendantsOf)];
}

/** Whether a process exists and is not a zombie. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const config = TEST_CONFIG;

let dir = '';
let cleanup: () => void = () => undefined;
let lake = '';
let db = '';

beforeEach(() => {
  ({ dir, cleanup } = tempDir('ecomdw-interrupt-'));
  lake = path.join(dir, 'lake');
  db = path.join(dir, 'warehouse.duckdb');
  writeCrashLake(lake);
});
afterEach(() => cleanup());

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid ?? 0;
}

/** A folder as the normalizer writes it before swapping it in, with a file in it. */
function leftover(zone: string, pid: number): string {
  const folder = path.join(lake, zone, 'orders', `batch_id=b1.tmp-${pid}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'part-0.parquet'), 'half written');
  return folder;
}

describe('Folders a killed normalization left in the lake', () => {
  it('are removed by the next run when their process is gone, and kept while it lives', async () => {
    // Prepare: one left by a dead process, one by a live one (another run normalizing into this lake).
    const dead = await deadPid();
    const abandoned = [leftover('silver', dead), leftover('quarantine', dead)];
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const inUse = leftover('silver', alive.pid ?? 0);

      // Act
      const summary = await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b1' });

      // Assess
      expect(summary.failure).toBeNull();
      expect(abandoned.filter(existsSync)).toEqual([]);
      expect([...summary.removedLeftovers].sort()).toEqual([`quarantine/orders/batch_id=b1.tmp-${dead}`, `silver/orders/batch_id=b1.tmp-${dead}`]);
      expect(existsSync(inUse)).toBe(true);
    } finally {
      alive.kill();
    }
  });
});

describe('A run stopped by a signal', () => {
  it('interrupts the running statement, rolls its transaction back, marks the batch failed and releases the warehouse', async () => {
    // Prepare: b1 done; b2's BuildDimensions starts a transaction whose second statement would run for hours.
    await runPipeline({ lakeDir: lake, dbPath: db, config, batchId: 'b1' });
    const before = await fingerprint(db, ['dw', 'history']);
    const controller = new AbortController();

    // Act
    const summary = await runPipeline({
      lakeDir: lake,
      dbPath: db,
      config,
      batchId: 'b2',
      signal: controller.signal,
      overrides: {
        BuildDimensions: async (_payload: unknown, context: StepContext) => {
          setTimeout(() => controller.abort('SIGINT'), 300);
          await context.engine.transaction([
            { sql: `insert into history.dimension_references values ('b2', 'customer', 'written before the signal')` },
            { sql: `insert into history.dimension_references select 'b2', 'customer', cast(count(*) as varchar) from range(1000000000000)` },
          ]);
        },
      },
    });

    // Assess
    expect(summary.failure).toMatchObject({ errorName: 'InterruptedError', batchId: 'b2' });
    expect(summary.failure?.message).toMatch(/^InterruptedError: interrupted by SIGINT/);
    expect(await queryDuckDb(db, `select status from audit.batches where batch_id = 'b2'`)).toEqual([{ status: 'failed' }]);
    expect(await fingerprint(db, ['dw', 'history'])).toEqual(before);
  });

  it('names no batch as failed when the signal comes between two batches, and labels the next discovery with none', async () => {
    // Prepare: the signal as b1 finishes, so that it reaches the DiscoverBatch that would find b2.
    const controller = new AbortController();
    const events: { type: string; step?: string; batchId?: string | null }[] = [];

    // Act
    const summary = await runPipeline({
      lakeDir: lake,
      dbPath: db,
      config,
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event as never);
        if (event.type === 'batch-finished') controller.abort('SIGINT');
      },
    });

    // Assess
    expect(summary.batches.map((b) => b.batchId)).toEqual(['b1']);
    expect(summary.failure).toMatchObject({ errorName: 'InterruptedError', batchId: null });
    expect(await queryDuckDb(db, 'select batch_id, status from audit.batches order by batch_id')).toEqual([{ batch_id: 'b1', status: 'done' }]);
    const discoveries = events.filter((e) => e.type === 'step-started' && e.step === 'DiscoverBatch').map((e) => e.batchId);
    expect(discoveries).toEqual([null, null]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('ends `ecomdw run` on %s with one line and exit code %i, the batch failed and the warehouse free', async (signal, code) => {
    // Act: the real command, signalled as soon as b2's LoadStaging has printed.
    const ended = await runAndSignal(['run', '--lake', lake, '--db', db], /^\s*\[b2\] LoadStaging\b/, signal);

    // Assess
    expect(ended.code, ended.stderr).toBe(code);
    const lines = ended.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^ecomdw: interrupted by ${signal}: 1 batch\\(es\\) done before it; batch b2 marked failed, its running step rolled back`));
    expect(lines.filter((line) => /interrupted|ALERT|FAILED/.test(line))).toHaveLength(1);
    expect(await queryDuckDb(db, 'select batch_id, status from audit.batches order by batch_id')).toEqual([
      { batch_id: 'b1', status: 'done' },
      { batch_id: 'b2', status: 'failed' },
    ]);
  });

  it('takes Ctrl-C at `npm run ecomdw` (the terminal signals npm and the CLI, npm forwards it again) as one interruption', async () => {
    // Act: SIGINT to the whole process group, as a terminal sends Ctrl-C.
    const npm = spawn('npm', ['run', '--silent', 'ecomdw', '--', 'run', '--lake', lake, '--db', db], { cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      let sent = false;
      npm.stderr.setEncoding('utf8');
      npm.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        if (!sent && /\[b2\] LoadStaging/.test(stderr)) {
          sent = true;
          process.kill(-(npm.pid ?? 0), 'SIGINT');
        }
      });
      npm.on('error', reject);
      npm.on('close', (exitCode) => resolve(exitCode));
    });

    // Assess: the graceful path, not the second signal's exit at once.
    expect(code, stderr).toBe(130);
    expect(stderr).not.toMatch(/interrupted again/);
    expect(stderr.trim().split('\n').at(-1)).toMatch(/^ecomdw: interrupted by SIGINT: .*batch b2 marked failed/);
    expect(await queryDuckDb(db, `select status from audit.batches where batch_id = 'b2'`)).toEqual([{ status: 'failed' }]);
  });

  it('leaves no process holding the warehouse when the process `npm run ecomdw` starts is killed', async () => {
    // Act: SIGKILL to npm's child as soon as the first batch has printed a step.
    const npm = spawn('npm', ['run', '--silent', 'ecomdw', '--', 'run', '--lake', lake, '--db', db], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let started: number[] = [];
    await new Promise<void>((resolve, reject) => {
      npm.stderr.setEncoding('utf8');
      npm.stderr.on('data', (chunk: string) => {
        if (started.length === 0 && /\[b1\] LoadStaging/.test(chunk)) {
          started = descendantsOf(npm.pid ?? 0);
          const worker = started[0];
          if (worker !== undefined) process.kill(worker, 'SIGKILL');
        }
      });
      npm.on('error', reject);
      // 'exit', not 'close': an orphan would keep npm's stderr open, and 'close' wait for it.
      npm.on('exit', () => resolve());
    });

    // Assess, at once: every process npm had started is gone, and the warehouse opens.
    const orphans = started.filter(isRunning);
    for (const pid of orphans) process.kill(pid, 'SIGKILL');
    expect(started.length).toBeGreaterThan(0);
    expect(orphans).toEqual([]);
    expect(await queryDuckDb(db, 'select count(*)::integer as n from audit.batches')).toHaveLength(1);
  });
});
