/**
 * `npm run bench [-- --scales 1,10,30 --repeat 3 --days 7 --work <dir> --out BENCHMARKS.md]`
 *
 * Measures the local pipeline, and its dbt peer (bench/peers/dbt) on the same
 * data, and rewrites BENCHMARKS.md. Every scenario runs in its own process
 * (bench/scenario.ts; the peer's driver for dbt), so its peak RSS is its own.
 * Per scale factor:
 *
 * 1. generate a lake of `days` daily batches (the generator's rows/s);
 * 2. full load: every batch into a fresh warehouse (the first days' warehouse
 *    is kept as the 1x history); then the dbt peer over the same batches, from
 *    the silver Parquet the pipeline wrote (its first days' warehouse kept too);
 * 3. correctness of both against the reference model (`--correctness-scales`);
 * 4. the floor: DuckDB reading the same raw files into plain tables; and the
 *    contract floor: the writes docs/spec.md requires, without the logic (floors.ts);
 * 5. the report on the full load's warehouse, every section, each
 *    attribution and known at the middle batch (bench/reporting.ts);
 * 6. the last day's batch on the 1x history, and on histories 3x and 10x
 *    larger (the 1x history plus cold copies, bench/replicate.ts; at
 *    `--growth-scales` only), and the peer's snapshot + run + test of the same
 *    batch on its own history, `repeat` times each, interleaved.
 */
import { spawn } from 'node:child_process';
import { existsSync, linkSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { installPeer, runPeer, type DbtResult, type PeerSpec } from './peers/dbtPeer.js';
import { renderReport, type BenchRun, type ScaleResult, type Machine } from './report.js';
import { COLD_KEYS, type ColdKeys } from './replicate.js';
import {
  RESULT_MARKER,
  type ContractFloorResult,
  type CorrectnessResult,
  type FloorResult,
  type GenerateResult,
  type PipelineResult,
  type ReplicateResult,
  type ReportingResult,
  type ScenarioResult,
  type ScenarioSpec,
} from './scenario.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO = path.join(ROOT, 'bench', 'scenario.ts');
/** History sizes of the cost-growth scenario, as multiples of the full load's history. */
export const HISTORY_FACTORS = [1, 3, 10] as const;
// Roughly what a scale factor needs at its peak (measured: ~1.9 GB at scale 10), with room to spare;
// the warehouse's 3 GB budget caps it (scale 30: 3.8 GB measured), the generator at 4.2 GB.
const BYTES_PER_SCALE = 400 * 1024 ** 2;
const MOST_BYTES_NEEDED = 6 * 1024 ** 3;
// Scratch disk a scale factor needs at its peak, the warehouse uncompressed (`ecomdw run`'s default):
// lakes, the full load and its 1x history, the floors, a measured copy, the peer's files
// (measured: ~16 GB at scale 10 with the peer, ~44 GB at scale 30 without), and with
// `--growth-scales` the 3x and 10x histories and a copy of the 10x one (measured: ~30 GB
// in all at scale 10 without the peer), with some room to spare.
const DISK_BYTES_PER_SCALE = 1.6 * 1024 ** 3;
const GROWTH_DISK_BYTES_PER_SCALE = 1.8 * 1024 ** 3;
// The reference model holds every silver row as a JS object: about 1 GB per million rows.
const CORRECTNESS_HEAP_MB = 16_384;

const { values } = parseArgs({
  options: {
    scales: { type: 'string', default: '1,10,30' },
    'growth-scales': { type: 'string', default: '1,10' },
    'correctness-scales': { type: 'string', default: '1' },
    'no-peer': { type: 'boolean', default: false },
    days: { type: 'string', default: '7' },
    repeat: { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
    work: { type: 'string', default: path.join(os.tmpdir(), 'ecomdw-bench') },
    out: { type: 'string', default: path.join(ROOT, 'BENCHMARKS.md') },
    keep: { type: 'boolean', default: false },
    'no-demo': { type: 'boolean', default: false },
    'cold-keys': { type: 'string', default: 'older' },
    'from-results': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'usage: npm run bench -- [--scales 1,10] [--days 7] [--repeat 3] [--seed 42] [--cold-keys older|interleaved] [--work <dir>] [--out BENCHMARKS.md] [--keep] [--no-demo]\n' +
      '       npm run bench -- --from-results <work>/results.json[,<work2>/results.json] [--out BENCHMARKS.md]\n' +
      '         (re-render a report without measuring; several runs, e.g. scales measured separately, make one report)\n',
  );
  process.exit(0);
}

const scaleList = (text: string): number[] => (text.trim() === '' ? [] : text.split(',').map((s) => Number(s.trim())));
const scales = scaleList(values.scales);
const growthScales = scaleList(values['growth-scales']);
const correctnessScales = scaleList(values['correctness-scales']);
const withPeer = !values['no-peer'];
const days = Number(values.days);
const repeat = Number(values.repeat);
const coldKeys = values['cold-keys'] as ColdKeys;
if (
  [...scales, ...growthScales, ...correctnessScales].some((s) => !(s > 0)) ||
  !Number.isInteger(days) ||
  days < 2 ||
  !Number.isInteger(repeat) ||
  repeat < 1 ||
  !COLD_KEYS.includes(coldKeys)
) {
  process.stderr.write(
    'bench: --scales, --growth-scales and --correctness-scales must be positive numbers, --days an integer >= 2, --repeat an integer >= 1, --cold-keys older or interleaved\n',
  );
  process.exit(2);
}
const work = path.resolve(values.work);

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Runs one scenario in a child process; its progress goes to a log file. */
async function scenario<T extends ScenarioResult>(name: string, spec: ScenarioSpec, nodeOptions: readonly string[] = []): Promise<T> {
  const log = path.join(work, 'logs', `${name}.log`);
  mkdirSync(path.dirname(log), { recursive: true });
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', SCENARIO, JSON.stringify(spec)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const logStream = createWriteStream(log);
  child.stderr.pipe(logStream);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (code !== 0 || !line) throw new Error(`scenario ${name} failed (exit ${code}); see ${log}`);
  const result = JSON.parse(line.slice(RESULT_MARKER.length)) as T;
  say(`  ${name.padEnd(28)} ${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s  peak RSS ${(result.maxRssBytes / 1024 ** 3).toFixed(2)} GiB`);
  return result;
}

/**
 * Runs the dbt peer over some batches (bench/peers/dbtPeer.ts); its progress goes to a log file.
 * A failing peer does not stop the bench: its result carries the failure, and the report says so.
 */
async function peerScenario(name: string, spec: PeerSpec): Promise<DbtResult> {
  const started = performance.now();
  // The peer's lake holds the batches that have arrived: built anew for every run.
  rmSync(spec.peerLake, { recursive: true, force: true });
  let result: DbtResult;
  try {
    result = await runPeer(ROOT, spec, path.join(work, 'logs', `${name}.log`));
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    result = { kind: 'dbt', seconds: 0, cpuSeconds: 0, maxRssBytes: 0, commands: [], failure, dbBytes: 0 };
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(7);
  say(`  ${name.padEnd(28)} ${seconds} s  peak RSS ${(result.maxRssBytes / 1024 ** 3).toFixed(2)} GiB${result.failure ? `  FAILED: ${result.failure} (logs: ${spec.logDir})` : ''}`);
  return result;
}

// A lake of some batches of another, by hard links (copies across devices): raw files are never rewritten.
function linkLake(from: string, to: string, batches: readonly string[]): void {
  rmSync(to, { recursive: true, force: true });
  linkLayer(from, to, 'raw', batches);
}

// One layer's files of some batches of a lake, hard-linked into another (which keeps what it has).
function linkLayer(from: string, to: string, layer: 'raw' | 'silver', batches: readonly string[]): void {
  const root = path.join(from, layer);
  if (!existsSync(root)) return;
  for (const table of readdirSync(root)) {
    for (const batchId of batches) {
      const source = path.join(root, table, `batch_id=${batchId}`);
      if (!existsSync(source)) continue;
      const target = path.join(to, layer, table, `batch_id=${batchId}`);
      mkdirSync(target, { recursive: true });
      for (const file of readdirSync(source)) {
        if (existsSync(path.join(target, file))) continue;
        try {
          linkSync(path.join(source, file), path.join(target, file));
        } catch {
          copyFileSync(path.join(source, file), path.join(target, file));
        }
      }
    }
  }
}

/**
 * Median run of a measured batch, by wall time (all runs' times are kept); of an even
 * number of runs, the lower middle one: the rule the report applies to the peer's runs too.
 */
function medianRun(runs: readonly PipelineResult[]): PipelineResult {
  return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor((runs.length - 1) / 2)] as PipelineResult;
}

async function benchScale(scale: number): Promise<ScaleResult> {
  const dir = path.join(work, `scale-${scale}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  say(`scale ${scale}: ${days} daily batches in ${dir}`);
  const lake = path.join(dir, 'lake');
  const generate = await scenario<GenerateResult>(`s${scale}-generate`, { kind: 'generate', out: lake, scale, days, seed: Number(values.seed) });
  const lastBatch = generate.batches[generate.batches.length - 1] as string;
  const historyLake = path.join(dir, 'lake-history');
  linkLake(lake, historyLake, generate.batches.slice(0, -1));

  const factors = growthScales.includes(scale) ? HISTORY_FACTORS : HISTORY_FACTORS.filter((f) => f === 1);
  const histories = Object.fromEntries(factors.map((f) => [f, path.join(dir, `history-${f}x.duckdb`)])) as Record<number, string>;
  const fullLoad = await scenario<PipelineResult>(`s${scale}-full-load`, {
    kind: 'pipeline',
    dbPath: path.join(dir, 'full-load.duckdb'),
    runs: [{ lakeDir: historyLake, snapshotTo: histories[1] }, { lakeDir: lake }],
  });
  if (fullLoad.failure) throw new Error(`scale ${scale}: the full load failed: ${fullLoad.failure}`);
  // The report on the loaded warehouse: every section, each attribution, and as known at the middle batch.
  const middle = generate.batches[Math.floor(generate.batches.length / 2)] as string;
  const reporting = await scenario<ReportingResult>(`s${scale}-report`, {
    kind: 'reporting',
    dbPath: path.join(dir, 'full-load.duckdb'),
    knownAt: middle,
    asOfDate: middle,
    repeat: Math.max(3, repeat),
  });

  // The full load wrote the first days' silver into the history lake: gather every batch's silver in one lake.
  linkLayer(historyLake, lake, 'silver', generate.batches.slice(0, -1));

  // The peer: the same batches, from the silver Parquet the full load wrote; one warehouse
  // file and one target folder per scale, so that dbt's partial parsing works as for a user.
  const dbtDir = path.join(dir, 'dbt');
  const peerBase = {
    silverLake: lake,
    peerLake: path.join(dbtDir, 'lake'),
    db: path.join(dbtDir, 'warehouse.duckdb'),
    targetDir: path.join(dbtDir, 'target'),
  };
  const peerHistory = path.join(dbtDir, 'history-1x.duckdb');
  const secondLast = generate.batches[generate.batches.length - 2] as string;
  const peerFullLoad = withPeer
    ? await peerScenario(`s${scale}-dbt-full-load`, {
        ...peerBase,
        logDir: path.join(work, 'logs', `s${scale}-dbt-full-load`),
        batches: generate.batches,
        seed: true,
        snapshotAfter: { [secondLast]: peerHistory },
      })
    : null;
  const correctness = correctnessScales.includes(scale)
    ? await scenario<CorrectnessResult>(
        `s${scale}-correctness`,
        { kind: 'correctness', lakeDir: lake, pipelineDb: path.join(dir, 'full-load.duckdb'), peerDb: peerFullLoad && !peerFullLoad.failure ? peerBase.db : null },
        [`--max-old-space-size=${CORRECTNESS_HEAP_MB}`],
      )
    : null;
  const floor = await scenario<FloorResult>(`s${scale}-floor`, { kind: 'floor', lakeDir: lake, dbPath: path.join(dir, 'floor.duckdb') });
  const contractFloor = await scenario<ContractFloorResult>(`s${scale}-contract-floor`, {
    kind: 'contract-floor',
    lakeDir: lake,
    dbPath: path.join(dir, 'contract-floor.duckdb'),
    silverDir: path.join(dir, 'contract-floor-silver'),
  });

  const replicas: Record<number, ReplicateResult> = {};
  for (const factor of factors.filter((f) => f > 1)) {
    replicas[factor] = await scenario<ReplicateResult>(`s${scale}-history-${factor}x`, {
      kind: 'replicate',
      fromDb: histories[1] as string,
      dbPath: histories[factor] as string,
      copies: factor - 1,
      coldKeys,
    });
  }
  // Interleaved, so that a noisy neighbour slows every history alike.
  const measured: Record<number, PipelineResult[]> = {};
  const peerBatchRuns: DbtResult[] = [];
  for (let r = 1; r <= repeat; r += 1) {
    if (peerFullLoad && !peerFullLoad.failure) {
      peerBatchRuns.push(
        await peerScenario(`s${scale}-dbt-batch-run${r}`, {
          ...peerBase,
          logDir: path.join(work, 'logs', `s${scale}-dbt-batch-run${r}`),
          fromDb: peerHistory,
          presentBatches: generate.batches.slice(0, -1),
          batches: [lastBatch],
        }),
      );
    }
    for (const factor of factors) {
      const result = await scenario<PipelineResult>(`s${scale}-batch-on-${factor}x-run${r}`, {
        kind: 'pipeline',
        dbPath: path.join(dir, 'measured.duckdb'),
        fromDb: histories[factor] as string,
        runs: [{ lakeDir: lake, batchId: lastBatch }],
      });
      if (result.failure) throw new Error(`scale ${scale}: the batch on the ${factor}x history failed: ${result.failure}`);
      (measured[factor] ??= []).push(result);
    }
  }
  if (!values.keep) {
    rmSync(path.join(dir, 'contract-floor-silver'), { recursive: true, force: true });
    rmSync(dbtDir, { recursive: true, force: true });
    for (const file of ['full-load.duckdb', 'floor.duckdb', 'contract-floor.duckdb', 'measured.duckdb', ...Object.values(histories).map((h) => path.basename(h))]) {
      rmSync(path.join(dir, file), { force: true });
    }
  }
  return {
    scale,
    days,
    generate,
    fullLoad,
    floor,
    contractFloor,
    reporting,
    lastBatch,
    peer: peerFullLoad ? { fullLoad: peerFullLoad, batchRuns: peerBatchRuns } : null,
    correctness,
    costGrowth: factors.map((factor) => {
      const runs = measured[factor] ?? [];
      return {
        factor,
        historyRows: Object.values(runs[0]?.tableRowsBefore ?? {}).reduce((a, b) => a + b, 0),
        median: medianRun(runs),
        runsSeconds: runs.map((r) => r.seconds),
        runsCpuSeconds: runs.map((r) => r.cpuSeconds ?? 0),
        runsMaxRssBytes: runs.map((r) => r.maxRssBytes),
        buildSeconds: replicas[factor]?.seconds ?? null,
      };
    }),
  };
}

/** Times `npm start` (the demo) the way a user runs it, in a scratch folder, DEMO_RUNS times: the median is the figure. */
async function timeDemo(): Promise<{ seconds: number; ok: boolean; runs: number[] }> {
  const runs: number[] = [];
  let ok = true;
  for (let i = 0; i < DEMO_RUNS && ok; i += 1) {
    const run = await timeDemoOnce();
    runs.push(run.seconds);
    ok = run.ok;
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { seconds: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, ok, runs };
}

// One run varies by ±5 % on this machine from one minute to the next (docs/benchmarks.md).
const DEMO_RUNS = 3;

async function timeDemoOnce(): Promise<{ seconds: number; ok: boolean }> {
  const dir = path.join(work, 'demo');
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  // `npm start` itself: it runs the CLI that `npm ci` compiled (bin/ecomdw.js), not the TypeScript through tsx.
  const child = spawn('npm', ['start', '--', '--dir', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', resolve);
    child.on('error', () => resolve(null));
  });
  const seconds = (performance.now() - started) / 1000;
  say(`  ${'demo (npm start)'.padEnd(28)} ${seconds.toFixed(1).padStart(7)} s${code === 0 ? '' : ` (exit ${code})`}`);
  rmSync(dir, { recursive: true, force: true });
  return { seconds, ok: code === 0 };
}

function machine(duckdbVersion: string): Machine {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'functions', 'sql', 'cli', 'bench', 'statemachine'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch {
    // not a git checkout: the commit stays unknown
  }
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    duckdb: duckdbVersion,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    commit,
    loadAverageAtStart: os.loadavg()[0] ?? 0,
  };
}

// Memory the kernel can hand out now: MemAvailable counts the page cache, which the
// lakes just written fill (os.freemem() does not).
function availableMemory(): number {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall back to free memory
  }
  return os.freemem();
}

// Bytes the file system holding `dir` has free for this user.
function freeDisk(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

// Bytes of the files under `dir` (none when it does not exist); a file hard-linked twice (the lakes) counts once.
function bytesUnder(dir: string): number {
  if (!existsSync(dir)) return 0;
  const files = new Map<string, number>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const stats = statSync(path.join(entry.parentPath, entry.name));
    files.set(`${stats.dev}:${stats.ino}`, stats.size);
  }
  return [...files.values()].reduce((sum, size) => sum + size, 0);
}

/**
 * Several saved runs as one (scales measured separately): their scales in order, the
 * first run's machine, the sum of their bench times, the demo of the run that timed it.
 * Each run's own command and load averages stay in `command`.
 */
function mergeRuns(runs: readonly BenchRun[]): BenchRun {
  const [first, ...rest] = runs;
  if (!first) throw new Error('--from-results: no results file');
  if (rest.length === 0) return first;
  return {
    ...first,
    date: runs.map((r) => r.date).sort()[runs.length - 1] as string,
    command: runs
      .map((r) => `\`${r.command}\` (${r.date.slice(0, 16).replace('T', ' ')} UTC, commit ${r.machine.commit}, load ${r.machine.loadAverageAtStart.toFixed(1)} → ${r.loadAverageAtEnd.toFixed(1)})`)
      .join(' and '),
    // each run's own commit is in its command above
    machine: { ...first.machine, commit: [...new Set(runs.map((r) => r.machine.commit))].join(', ') },
    loadAverageAtEnd: runs[runs.length - 1]?.loadAverageAtEnd ?? first.loadAverageAtEnd,
    totalSeconds: runs.reduce((sum, r) => sum + r.totalSeconds, 0),
    scales: runs.flatMap((r) => r.scales).sort((a, b) => a.scale - b.scale),
    skipped: runs.flatMap((r) => r.skipped),
    demo: runs.find((r) => r.demo)?.demo ?? null,
    peer: runs.some((r) => r.peer),
  };
}

async function main(): Promise<void> {
  if (values['from-results'] !== undefined) {
    const saved = mergeRuns(values['from-results'].split(',').map((file) => JSON.parse(readFileSync(file.trim(), 'utf8')) as BenchRun));
    writeFileSync(values.out, renderReport(saved));
    say(`wrote ${values.out} from ${values['from-results']}`);
    return;
  }
  mkdirSync(work, { recursive: true });
  const loadAtStart = os.loadavg()[0] ?? 0;
  const started = performance.now();
  const results: ScaleResult[] = [];
  const skipped: string[] = [];
  if (withPeer) installPeer(ROOT);
  for (const scale of scales) {
    const needed = Math.min(scale * BYTES_PER_SCALE, MOST_BYTES_NEEDED);
    const available = availableMemory();
    if (needed > available) {
      skipped.push(`scale ${scale}: needs about ${(needed / 1024 ** 3).toFixed(0)} GiB of memory, ${(available / 1024 ** 3).toFixed(0)} GiB available`);
      say(`scale ${scale}: skipped (${skipped[skipped.length - 1]})`);
      continue;
    }
    // Checked before, not found out by ENOSPC half an hour in (the scale's own folder is emptied first).
    const diskNeeded = scale * (DISK_BYTES_PER_SCALE + (growthScales.includes(scale) ? GROWTH_DISK_BYTES_PER_SCALE : 0));
    const diskFree = freeDisk(work) + bytesUnder(path.join(work, `scale-${scale}`));
    if (diskNeeded > diskFree) {
      skipped.push(`scale ${scale}: needs about ${(diskNeeded / 1024 ** 3).toFixed(0)} GiB of disk in ${work}, ${(diskFree / 1024 ** 3).toFixed(0)} GiB free (--work elsewhere, or fewer --growth-scales)`);
      say(`scale ${scale}: skipped (${skipped[skipped.length - 1]})`);
      continue;
    }
    results.push(await benchScale(scale));
  }
  if (results.length === 0 && skipped.length > 0) {
    // An empty report would overwrite the last real one (BENCHMARKS.md by default); `--scales ''` times the demo alone.
    say(`bench: no scale measured (${skipped.join('; ')}); ${values.out} left as it was`);
    process.exitCode = 1;
    return;
  }
  const demo = values['no-demo'] ? null : await timeDemo();
  const duckdbVersion = results[0]?.floor.duckdbVersion ?? 'unknown';
  const run: BenchRun = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { ...machine(duckdbVersion), loadAverageAtStart: loadAtStart },
    loadAverageAtEnd: os.loadavg()[0] ?? 0,
    totalSeconds: (performance.now() - started) / 1000,
    repeat,
    coldKeys,
    peer: withPeer,
    scales: results,
    skipped,
    demo,
  };
  writeFileSync(path.join(work, 'results.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(values.out, renderReport(run));
  say(`wrote ${values.out} (raw figures: ${path.join(work, 'results.json')}) in ${(run.totalSeconds / 60).toFixed(1)} min`);
}

main().catch((error: unknown) => {
  say(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
