/**
 * The dbt peer from the bench's side: installs its pinned virtual environment
 * and runs bench/peers/dbt/run_batches.py as a scenario (its own process, whose
 * dbt child processes are measured: wall, CPU, peak RSS).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

/** The peer's virtual environment, relative to the repository root (git-ignored). */
export const PEER_VENV = '.venv-bench';
/** The pinned requirements of the peer. */
export const PEER_REQUIREMENTS = 'requirements/bench.txt';
/** The dbt project, relative to the repository root. */
export const PEER_PROJECT = 'bench/peers/dbt';
/** The three commands a user runs per batch, in order. */
export const PEER_COMMANDS = ['snapshot', 'run', 'test'] as const;

/** One dbt command of a run. */
export interface DbtCommandResult {
  /** null for the one-off `dbt seed`. */
  readonly batchId: string | null;
  readonly command: string;
  /** Wall seconds of the process, start-up and parsing included. */
  readonly seconds: number;
  /** dbt's own elapsed time for the command's nodes (run_results.json), null when it wrote none. */
  readonly dbtSeconds: number | null;
  readonly exitCode: number;
  /** Node statuses (success, pass, fail, warn, error...). */
  readonly counts?: Record<string, number>;
  readonly failing?: readonly { node: string; status: string; failures: number | null }[];
}

/** A run of the peer over some batches, measured. */
export interface DbtResult {
  readonly kind: 'dbt';
  /** Wall seconds summed over the dbt commands. */
  readonly seconds: number;
  /** User + system CPU seconds of the dbt child processes. */
  readonly cpuSeconds: number;
  /** The largest dbt child process's peak resident set. */
  readonly maxRssBytes: number;
  readonly commands: readonly DbtCommandResult[];
  readonly failure: string | null;
  readonly dbBytes: number;
}

/** What run_batches.py takes (see its docstring). */
export interface PeerSpec {
  readonly silverLake: string;
  readonly peerLake: string;
  readonly db: string;
  readonly targetDir: string;
  readonly logDir: string;
  readonly batches: readonly string[];
  readonly seed?: boolean;
  readonly fromDb?: string;
  readonly presentBatches?: readonly string[];
  readonly snapshotAfter?: Readonly<Record<string, string>>;
  readonly memoryLimit?: string;
}

const RESULT_MARKER = 'BENCH-RESULT ';

/** Creates or refreshes the peer's virtual environment (quick when nothing changed). */
export function installPeer(root: string): void {
  execFileSync('bash', [path.join(root, 'scripts', 'python-env.sh'), PEER_REQUIREMENTS, PEER_VENV], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Runs the peer over the spec's batches in a child process; its progress goes to `log`. */
export async function runPeer(root: string, spec: PeerSpec, log: string): Promise<DbtResult> {
  const venv = path.join(root, PEER_VENV, 'bin');
  const driverSpec = {
    dbt: path.join(venv, 'dbt'),
    project_dir: path.join(root, PEER_PROJECT),
    silver_lake: spec.silverLake,
    peer_lake: spec.peerLake,
    db: spec.db,
    target_dir: spec.targetDir,
    log_dir: spec.logDir,
    batches: spec.batches,
    seed: spec.seed ?? false,
    from_db: spec.fromDb ?? null,
    present_batches: spec.presentBatches ?? [],
    snapshot_after: spec.snapshotAfter ?? {},
    memory_limit: spec.memoryLimit ?? '3GB',
  };
  mkdirSync(path.dirname(log), { recursive: true });
  const child = spawn(path.join(venv, 'python'), [path.join(root, PEER_PROJECT, 'run_batches.py'), JSON.stringify(driverSpec)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(createWriteStream(log));
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (code !== 0 || !line) throw new Error(`the dbt peer's driver failed (exit ${code}); see ${log}`);
  return JSON.parse(line.slice(RESULT_MARKER.length)) as DbtResult;
}

/** Wall seconds per command name (snapshot, run, test) of a run, summed over its batches. */
export function commandSeconds(result: DbtResult): Record<string, { seconds: number; dbtSeconds: number }> {
  const totals: Record<string, { seconds: number; dbtSeconds: number }> = {};
  for (const c of result.commands) {
    const total = (totals[c.command] ??= { seconds: 0, dbtSeconds: 0 });
    total.seconds += c.seconds;
    total.dbtSeconds += c.dbtSeconds ?? 0;
  }
  return totals;
}

/** How many data tests failed or errored in the run's `dbt test` commands (warnings apart). */
export function failedTests(result: DbtResult): number {
  return result.commands.filter((c) => c.command === 'test').reduce((sum, c) => sum + (c.counts?.fail ?? 0) + (c.counts?.error ?? 0), 0);
}
