/** Renders a benchmark run (bench/run.ts) as BENCHMARKS.md. */
import { wrongRows, type CorrectnessResult, type DimensionErrors, type FactErrors, type ToolCorrectness } from './correctness.js';
import { CONTRACT_FLOOR_PARTS } from './floors.js';
import { commandSeconds, failedTests, PEER_COMMANDS, type DbtResult } from './peers/dbtPeer.js';
import type { ContractFloorResult, FloorResult, GenerateResult, PipelineResult, ReportingResult } from './scenario.js';
import type { ColdKeys } from './replicate.js';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly duckdb: string;
  readonly platform: string;
  readonly commit: string;
  readonly loadAverageAtStart: number;
}

/** The same one-day batch on one history size. */
export interface CostGrowthEntry {
  /** History size as a multiple of the full load's history. */
  readonly factor: number;
  /** Rows in history.*, dw.* dimension and fact tables before the batch. */
  readonly historyRows: number;
  /** The run with the median wall time. */
  readonly median: PipelineResult;
  readonly runsSeconds: readonly number[];
  readonly runsCpuSeconds: readonly number[];
  /** Every run's peak RSS (absent from results written before it was kept: the median run's then). */
  readonly runsMaxRssBytes?: readonly number[];
  /** Time to build this history from the 1x one (null for 1x). */
  readonly buildSeconds: number | null;
}

/** The dbt peer at one scale: the full load, and each run of the one-day batch on its own history. */
export interface PeerScaleResult {
  readonly fullLoad: DbtResult;
  readonly batchRuns: readonly DbtResult[];
}

export interface ScaleResult {
  readonly scale: number;
  readonly days: number;
  readonly generate: GenerateResult;
  readonly fullLoad: PipelineResult;
  readonly floor: FloorResult;
  /** Absent from results written before it was measured. */
  readonly contractFloor?: ContractFloorResult;
  /** The report and the marts on the full load's warehouse (absent from results written before). */
  readonly reporting?: ReportingResult;
  readonly lastBatch: string;
  /** The dbt peer (absent or null: not run). */
  readonly peer?: PeerScaleResult | null;
  /** Both tools against the reference model (absent or null: not checked at this scale). */
  readonly correctness?: CorrectnessResult | null;
  readonly costGrowth: readonly CostGrowthEntry[];
}

export interface BenchRun {
  readonly date: string;
  readonly command: string;
  readonly machine: Machine;
  readonly loadAverageAtEnd: number;
  readonly totalSeconds: number;
  readonly repeat: number;
  /** How the cold copies' keys sort against the hot ones (bench/replicate.ts). */
  readonly coldKeys: ColdKeys;
  /** Whether the dbt peer ran (absent from results written before it existed). */
  readonly peer?: boolean;
  readonly scales: readonly ScaleResult[];
  readonly skipped: readonly string[];
  /** `npm start`: the median of `runs` (runs absent in results saved before they were kept). */
  readonly demo: { readonly seconds: number; readonly ok: boolean; readonly runs?: readonly number[] } | null;
}

/** The targets of the issues, on this machine. */
export const TARGETS = {
  fullLoadOverFloorAt10: 3,
  tenXOverOneXAt10: 1.5,
  peakRssAt10Bytes: 4 * 1024 ** 3,
  /** The full report (every section), each attribution, at scale 10. */
  reportSecondsAt10: 2,
  /** What the marts add to a one-day batch at scale 10: BuildMarts and the reporting layer's data tests, over the rest of the batch's time. */
  martsShareAt10: 0.15,
  // issue 16
  fullLoadOverContractFloorAt10: 2,
  fullLoadAt30Seconds: 300,
  peakRssAt30Bytes: 4 * 1024 ** 3,
  demoSeconds: 10,
} as const;

const STEP_ORDER = ['DiscoverBatch', 'NormalizeTable', 'LoadStaging', 'BuildDimensions', 'BuildFacts', 'BuildMarts', 'ValidateBatch', 'MarkBatchDone'] as const;

/** What the marts add to a one-day batch: BuildMarts, and with it the reporting layer's tests in ValidateBatch. */
export interface MartsShare {
  /** BuildMarts' time over the rest of the batch's. */
  readonly share: number;
  readonly martsSeconds: number;
  readonly restSeconds: number;
  /** BuildMarts and the reporting layer's tests over the rest; null in results from before these were timed. */
  readonly withTests: { readonly share: number; readonly testsSeconds: number; readonly restSeconds: number } | null;
}

/** What the marts add to the one-day batch on the 1× history (MartsShare). */
export function martsShare(result: ScaleResult): MartsShare | null {
  const one = result.costGrowth.find((c) => c.factor === 1);
  if (!one) return null;
  const marts = (stepTotals(one.median).get('BuildMarts') ?? 0) / 1000;
  const rest = one.median.seconds - marts;
  const timed = one.median.batches.filter((b) => b.reportingTestMs !== undefined);
  const tests = timed.reduce((sum, b) => sum + (b.reportingTestMs ?? 0), 0) / 1000;
  const withTests = timed.length === 0 ? null : { share: (marts + tests) / (rest - tests), testsSeconds: tests, restSeconds: rest - tests };
  return { share: marts / rest, martsSeconds: marts, restSeconds: rest, withTests };
}

/** The slowest full report of a run (every section; each attribution and the known-at one). */
export function slowestReport(result: ScaleResult): { seconds: number; name: string } | null {
  const reports = result.reporting?.reports ?? [];
  if (reports.length === 0) return null;
  const slowest = [...reports].sort((a, b) => b.medianSeconds - a.medianSeconds)[0] as ReportingResult['reports'][number];
  return { seconds: slowest.medianSeconds, name: slowest.name };
}

const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
const s = (seconds: number): string => `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
// The demo's runs behind its median, when more than one was kept.
const demoRuns = (runs: readonly number[] | undefined): string =>
  runs && runs.length > 1 ? ` (median of ${runs.length}: ${runs.map((r) => r.toFixed(2)).join(', ')} s)` : '';
const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const x = (ratio: number): string => `${ratio.toFixed(2)}×`;
const mark = (ok: boolean | null): string => (ok === null ? '–' : ok ? '✅' : '❌');

function table(head: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const rule = head.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : ':---'));
  return [head, rule, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Raw rows of every batch of a pipeline run. */
export function rawRows(result: PipelineResult): number {
  return result.batches.reduce((sum, b) => sum + b.rawRows, 0);
}

/** Wall milliseconds per step, summed over the run's batches (NormalizeTable: the Map state's wall time). */
export function stepTotals(result: PipelineResult): Map<string, number> {
  const totals = new Map<string, number>();
  for (const batch of result.batches) {
    for (const [step, ms] of Object.entries(batch.stepMs)) totals.set(step, (totals.get(step) ?? 0) + ms);
  }
  return totals;
}

function stepRows(result: PipelineResult): string[][] {
  const totals = stepTotals(result);
  const wall = result.seconds * 1000;
  const rows: string[][] = [];
  let accounted = 0;
  for (const step of STEP_ORDER) {
    const ms = totals.get(step);
    if (ms === undefined) continue;
    accounted += ms;
    rows.push([step === 'NormalizeTable' ? 'NormalizeTable (6 tables at once: wall)' : step, s(ms / 1000), `${((100 * ms) / wall).toFixed(0)} %`]);
    if (step === 'NormalizeTable') {
      const perTable = [...totals.entries()].filter(([name]) => name.startsWith('NormalizeTable ')).sort((a, b) => b[1] - a[1]);
      for (const [name, tableMs] of perTable) rows.push([`&nbsp;&nbsp;· ${name.slice('NormalizeTable '.length)} (one thread)`, s(tableMs / 1000), '']);
    }
  }
  rows.push(['other (runner, engine open/close, metrics)', s(Math.max(0, wall - accounted) / 1000), `${((100 * Math.max(0, wall - accounted)) / wall).toFixed(0)} %`]);
  rows.push(['**total**', `**${s(result.seconds)}**`, '100 %']);
  return rows;
}

function entryAt(result: ScaleResult, factor: number): CostGrowthEntry | undefined {
  return result.costGrowth.find((c) => c.factor === factor);
}

/** Pipeline / floor, the one-day batch's growth and peak RSS of one scale. */
export function headline(result: ScaleResult): { overFloor: number; growth: number | null; peakRss: number } {
  const one = entryAt(result, 1);
  const ten = entryAt(result, 10);
  // Every run counts: the target is about the worst, not the typical one.
  const peaks = [result.fullLoad.maxRssBytes, ...result.costGrowth.flatMap((c) => c.runsMaxRssBytes ?? [c.median.maxRssBytes])];
  return {
    overFloor: result.fullLoad.seconds / result.floor.seconds,
    growth: one && ten ? pipelineBatch(ten).seconds / pipelineBatch(one).seconds : null,
    peakRss: Math.max(...peaks),
  };
}

/** The median of a list of runs by wall time; of an even number, the lower middle one. */
function medianOf<T extends { readonly seconds: number }>(runs: readonly T[]): T | undefined {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The pipeline's one-day batch on a history by the same rule as the peer's (results
 * written before run.ts applied it may name another median run): wall and CPU seconds.
 */
export function pipelineBatch(entry: CostGrowthEntry): { seconds: number; cpuSeconds: number } {
  const runs = entry.runsSeconds.map((seconds, i) => ({ seconds, cpuSeconds: entry.runsCpuSeconds[i] ?? 0 }));
  return medianOf(runs) ?? { seconds: entry.median.seconds, cpuSeconds: entry.median.cpuSeconds ?? 0 };
}

/** The peer's one-day batch: the median run, and the worst peak RSS of every run. */
export function peerBatch(result: ScaleResult): { median: DbtResult; peakRss: number } | null {
  const runs = (result.peer?.batchRuns ?? []).filter((r) => !r.failure);
  const median = medianOf(runs);
  return median ? { median, peakRss: Math.max(...runs.map((r) => r.maxRssBytes)) } : null;
}

/** The pipeline's time from silver on: the wall time without its NormalizeTable Map state. */
export function fromSilverSeconds(result: PipelineResult): number {
  return result.seconds - (stepTotals(result).get('NormalizeTable') ?? 0) / 1000;
}

/**
 * The pipeline's time on what the dbt peer builds too: from silver on, without
 * BuildMarts (the known.* history and published figures the peer has no part of).
 */
export function peerScopeSeconds(result: PipelineResult): number {
  return fromSilverSeconds(result) - (stepTotals(result).get('BuildMarts') ?? 0) / 1000;
}

function targetsSection(run: BenchRun): string {
  const at10 = run.scales.find((r) => r.scale === 10);
  const at30 = run.scales.find((r) => r.scale === 30);
  const h = at10 ? headline(at10) : null;
  const notAt = (scale: number): string => `not measured (scale ${scale} not in this run)`;
  const notAt10 = notAt(10);
  const oneAt10 = at10 ? entryAt(at10, 1) : undefined;
  const peerAt10 = at10 ? peerBatch(at10) : null;
  const checked = run.scales.filter((r) => r.correctness);
  const pipelineWrong = checked.reduce((sum, r) => sum + wrongRows((r.correctness as CorrectnessResult).pipeline), 0);
  const checkedText = checked.length > 0 ? `${n(pipelineWrong)} wrong rows against the reference model (scale ${checked.map((r) => r.scale).join(', ')})` : 'correctness not checked';
  const ours10 = oneAt10 ? pipelineBatch(oneAt10) : null;
  const batchVsPeer =
    ours10 && peerAt10
      ? `${s(ours10.seconds)} vs dbt's ${s(peerAt10.median.seconds)} wall (${x(ours10.seconds / peerAt10.median.seconds)}), ` +
        `${s(ours10.cpuSeconds)} vs ${s(peerAt10.median.cpuSeconds)} CPU; ${checkedText}`
      : at10
        ? 'not measured (--no-peer)'
        : notAt10;
  const c10 = at10?.contractFloor;
  const rows = [
    [
      'one-day batch at scale 10 faster than the dbt peer’s snapshot + run + test of the same batch, with zero wrong rows (issue 16)',
      batchVsPeer,
      mark(ours10 && peerAt10 ? ours10.seconds < peerAt10.median.seconds && checked.length > 0 && pipelineWrong === 0 : null),
    ],
    [
      `full load at scale 10 within ${TARGETS.fullLoadOverContractFloorAt10}× the contract floor (issue 16)`,
      at10 && c10 ? `${x(at10.fullLoad.seconds / c10.seconds)} (${s(at10.fullLoad.seconds)} vs ${s(c10.seconds)})` : notAt10,
      mark(at10 && c10 ? at10.fullLoad.seconds / c10.seconds <= TARGETS.fullLoadOverContractFloorAt10 : null),
    ],
    [
      `full load at scale 30 under ${TARGETS.fullLoadAt30Seconds / 60} minutes (issue 16)`,
      at30 ? s(at30.fullLoad.seconds) : notAt(30),
      mark(at30 ? at30.fullLoad.seconds < TARGETS.fullLoadAt30Seconds : null),
    ],
    [
      'peak RSS at scale 30 under 4 GiB (every pipeline scenario; issue 16)',
      at30 ? gib(headline(at30).peakRss) : notAt(30),
      mark(at30 ? headline(at30).peakRss < TARGETS.peakRssAt30Bytes : null),
    ],
    [
      `full load at scale 10 within ${TARGETS.fullLoadOverFloorAt10}× its floor`,
      h && at10 ? `${x(h.overFloor)} (${s(at10.fullLoad.seconds)} vs ${s(at10.floor.seconds)})` : notAt10,
      mark(h ? h.overFloor <= TARGETS.fullLoadOverFloorAt10 : null),
    ],
    [
      `one-day batch on a 10× history within ${TARGETS.tenXOverOneXAt10}× of the 1× history (scale 10)`,
      h?.growth != null && at10
        ? `${x(h.growth)} (${s(entryAt(at10, 10)?.median.seconds ?? 0)} vs ${s(entryAt(at10, 1)?.median.seconds ?? 0)})`
        : at10
          ? 'not measured (no 10× history at scale 10 in this run: `--growth-scales`)'
          : notAt10,
      mark(h?.growth != null ? h.growth <= TARGETS.tenXOverOneXAt10 : null),
    ],
    [
      'peak RSS at scale 10 under 4 GiB (every pipeline scenario)',
      h ? gib(h.peakRss) : notAt10,
      mark(h ? h.peakRss < TARGETS.peakRssAt10Bytes : null),
    ],
    (() => {
      const slowest = at10 ? slowestReport(at10) : null;
      return [
        `full report at scale 10 under ${TARGETS.reportSecondsAt10} s (every section, each attribution, known-at)`,
        slowest ? `${s(slowest.seconds)} (slowest: ${slowest.name}; median of runs, warehouse open)` : notAt10,
        mark(slowest ? slowest.seconds < TARGETS.reportSecondsAt10 : null),
      ];
    })(),
    (() => {
      const share = at10 ? martsShare(at10) : null;
      return [
        `marts add under ${Math.round(TARGETS.martsShareAt10 * 100)} % to a one-day batch (scale 10)`,
        share
          ? `${(share.share * 100).toFixed(1)} % (BuildMarts ${s(share.martsSeconds)} on ${s(share.restSeconds)} of the rest)` +
            (share.withTests
              ? `; ${(share.withTests.share * 100).toFixed(1)} % with the reporting layer's data tests (${s(share.withTests.testsSeconds)} of ValidateBatch)`
              : "; the reporting layer's data tests not timed in this run")
          : notAt10,
        // Judged with the tests the marts bring when they were timed: they run because BuildMarts wrote the layer.
        mark(share ? (share.withTests?.share ?? share.share) < TARGETS.martsShareAt10 : null),
      ];
    })(),
    [
      `\`npm start\` under ${TARGETS.demoSeconds} s (issue 16)`,
      run.demo ? `${s(run.demo.seconds)}${demoRuns(run.demo.runs)}${run.demo.ok ? '' : ' (failed)'}` : 'not measured (--no-demo)',
      mark(run.demo ? run.demo.ok && run.demo.seconds < TARGETS.demoSeconds : null),
    ],
  ];
  return table(['target', 'measured', ''], rows, ['l', 'l', 'l']);
}

function summarySection(run: BenchRun): string {
  const rows = run.scales.map((r) => {
    const h = headline(r);
    const one = entryAt(r, 1);
    return [
      String(r.scale),
      n(r.generate.rows),
      n(r.generate.rowsPerSecond),
      s(r.fullLoad.seconds),
      n(rawRows(r.fullLoad) / r.fullLoad.seconds),
      s(r.floor.seconds),
      x(h.overFloor),
      r.contractFloor ? `${s(r.contractFloor.seconds)} (${x(r.contractFloor.seconds / r.floor.seconds)})` : '–',
      r.contractFloor ? x(r.fullLoad.seconds / r.contractFloor.seconds) : '–',
      one ? s(pipelineBatch(one).seconds) : '–',
      one ? n(rawRows(one.median) / pipelineBatch(one).seconds) : '–',
      h.growth === null ? '–' : x(h.growth),
      gib(h.peakRss),
    ];
  });
  return table(
    ['scale', 'raw rows', 'generator rows/s', 'full load', 'rows/s', 'floor', 'pipeline / floor', 'contract floor (/ floor)', 'pipeline / contract floor', 'one-day batch', 'rows/s', '10× / 1× history', 'peak RSS'],
    rows,
  );
}

/** The pipeline and the dbt peer, scale by scale: full load and one-day batch. */
function sideBySideSection(run: BenchRun): string {
  const measured = run.scales.filter((r) => r.peer);
  if (measured.length === 0) return '';
  const out: string[] = ['## ecomdw and dbt side by side', ''];
  out.push(
    'The dbt peer (`bench/peers/dbt`, dbt-core with dbt-duckdb on the same DuckDB version and memory budget) builds the same star schema ' +
      'from the silver Parquet the pipeline wrote, one batch at a time: `dbt snapshot`, `dbt run`, `dbt test`, each a fresh process as ' +
      'a user or a scheduler starts it (start-up and project parsing included; CPU and peak RSS are those of the dbt processes). ' +
      'It starts where the pipeline\'s NormalizeTable step ends, so the pipeline is also shown without that step (silver → gold; ' +
      'wall time only), and without BuildMarts as well: the peer keeps no transaction-time history (known.*), published figures or ' +
      'restatements. What the pipeline does beyond the peer is still inside that row (fact_order_fulfillment, history.waiting_rows, ' +
      'the reporting layer\'s data tests, quarantine accounting, audit tables, metrics). The one-day batch is the lake\'s last day on each tool\'s ' +
      'own warehouse of the days before (1× history); of an even number of runs the lower middle one is shown, for both tools.',
  );
  out.push('');
  const rows: string[][] = [];
  for (const r of measured) {
    const peer = r.peer as PeerScaleResult;
    const one = entryAt(r, 1);
    const ours = one ? pipelineBatch(one) : null;
    const peerOne = peerBatch(r);
    const ratio = (mine: number, theirs: number | undefined): string => (theirs ? x(mine / theirs) : '–');
    // Only the median run's steps are kept: without it (older results), no split.
    const sameRun = ours !== null && one !== undefined && Math.abs(ours.seconds - one.median.seconds) < 1e-6;
    // The median run's own figures (sameRun): its wall time without the steps the peer does not do.
    const fromSilver = one ? fromSilverSeconds(one.median) : 0;
    const peerScope = one ? peerScopeSeconds(one.median) : 0;
    rows.push([
      String(r.scale),
      'ecomdw (raw → gold)',
      s(r.fullLoad.seconds),
      s(r.fullLoad.cpuSeconds ?? 0),
      gib(r.fullLoad.maxRssBytes),
      ours && one ? `**${s(ours.seconds)}** (${one.runsSeconds.map((t) => t.toFixed(1)).join(' / ')})` : '–',
      ours ? s(ours.cpuSeconds) : '–',
      one ? gib(Math.max(...(one.runsMaxRssBytes ?? [one.median.maxRssBytes]))) : '–',
      ours && peerOne ? ratio(ours.seconds, peerOne.median.seconds) : '–',
    ]);
    // The pipeline without some of its steps: wall times only, the batch's from the median run's own figures.
    const partRow = (label: string, fullLoadSeconds: number, batchSeconds: number): string[] => [
      '',
      label,
      s(fullLoadSeconds),
      '–',
      '–',
      ours && sameRun ? s(batchSeconds) : '–',
      '–',
      '–',
      ours && sameRun && peerOne ? ratio(batchSeconds, peerOne.median.seconds) : '–',
    ];
    rows.push(partRow('ecomdw without NormalizeTable (silver → gold)', fromSilverSeconds(r.fullLoad), fromSilver));
    rows.push(partRow("ecomdw without NormalizeTable and BuildMarts (the peer's scope, nearly)", peerScopeSeconds(r.fullLoad), peerScope));
    rows.push([
      '',
      'dbt peer (silver → marts)',
      s(peer.fullLoad.seconds),
      s(peer.fullLoad.cpuSeconds),
      gib(peer.fullLoad.maxRssBytes),
      peerOne ? `**${s(peerOne.median.seconds)}** (${peer.batchRuns.filter((b) => !b.failure).map((b) => b.seconds.toFixed(1)).join(' / ')})` : '–',
      peerOne ? s(peerOne.median.cpuSeconds) : '–',
      peerOne ? gib(peerOne.peakRss) : '–',
      peerOne ? '1.00×' : '–',
    ]);
  }
  out.push(
    table(
      ['scale', 'tool', 'full load wall', 'CPU', 'peak RSS', 'one-day batch wall: median (all runs)', 'CPU', 'peak RSS (worst run)', 'batch time / dbt'],
      rows,
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push('');
  const failures = measured.flatMap((r) =>
    [r.peer?.fullLoad, ...(r.peer?.batchRuns ?? [])].filter((p) => p?.failure).map((p) => `scale ${r.scale}: ${p?.failure}`),
  );
  if (failures.length > 0) {
    out.push(`**The peer failed**: ${failures.join('; ')}. Its figures above cover what ran before the failure.`);
    out.push('');
  }
  out.push(
    'Where the peer\'s time goes: each command\'s wall time, and the part dbt itself reports as running the nodes (its `run_results.json` ' +
      'elapsed time); the rest is the process starting, reading the project and the manifest, and opening the warehouse.',
  );
  out.push('');
  const commandRows: string[][] = [];
  for (const r of measured) {
    const peer = r.peer as PeerScaleResult;
    const peerOne = peerBatch(r);
    const full = commandSeconds(peer.fullLoad);
    const batch = peerOne ? commandSeconds(peerOne.median) : {};
    for (const command of ['seed', ...PEER_COMMANDS]) {
      const f = full[command];
      const b = batch[command];
      if (!f && !b) continue;
      commandRows.push([
        command === 'seed' ? String(r.scale) : '',
        `dbt ${command}${command === 'seed' ? ' (once)' : ''}`,
        f ? s(f.seconds) : '–',
        f ? s(f.dbtSeconds) : '–',
        b ? s(b.seconds) : '–',
        b ? s(b.dbtSeconds) : '–',
      ]);
    }
    const failed = failedTests(peer.fullLoad) + (peerOne ? failedTests(peerOne.median) : 0);
    commandRows.push(['', `data tests failed (full load + batch)`, String(failedTests(peer.fullLoad)), '', peerOne ? String(failedTests(peerOne.median)) : '–', failed > 0 ? '❌' : '']);
  }
  out.push(table(['scale', 'command', 'full load: wall', 'of which dbt nodes', 'one-day batch: wall', 'of which dbt nodes'], commandRows, ['l', 'l', 'r', 'r', 'r', 'r']));
  out.push('');
  return out.join('\n');
}

const dimensionCells = (d: DimensionErrors): string[] => [n(d.expected), n(d.missing), n(d.extra), n(d.wrong)];
const factCells = (f: FactErrors): string[] => [
  n(f.expected),
  n(f.lost),
  n(f.duplicated),
  n(f.extra),
  `${n(f.wrongPointInTime)} (${n(f.wrongAttributesAtPointInTime ?? 0)})`,
  n(f.wrongOther),
];

/** Both tools against the independent reference model, per kind of error. */
function correctnessSection(run: BenchRun): string {
  const checked = run.scales.filter((r) => r.correctness);
  if (checked.length === 0) return '';
  const out: string[] = ['## Correctness against the reference model', ''];
  for (const r of checked) {
    const c = r.correctness as CorrectnessResult;
    out.push(
      `**Scale ${r.scale}**: ${n(c.silverRows)} silver rows of ${c.batches.length} batches (${c.batches[0]} … ${c.batches[c.batches.length - 1]}) ` +
        `fed to the independent reference model (\`tests/reference/referenceModel.ts\`, written from docs/spec.md, not from either tool's SQL; ` +
        `${s(c.referenceSeconds)}, whole check ${s(c.seconds)}, peak RSS ${gib(c.maxRssBytes)}); each tool's warehouse after the full load of the ` +
        `same batches, rendered in the model's canonical form (surrogate keys as the version they point at), compared row by row. ` +
        'What in the lake makes it hard:',
    );
    out.push('');
    out.push(
      table(
        ['table', 'silver rows', 'keys changed several times in one batch', 'late rows (a newer row of the key arrived earlier)', 'same-instant conflicts', 'deletes'],
        Object.entries(c.features).map(([t, f]) => [t, n(f.rows), n(f.keysChangedSeveralTimesInABatch), n(f.lateRows), n(f.conflicts), n(f.deletes)]),
      ),
    );
    out.push('');
    const tools: [string, ToolCorrectness][] = [['ecomdw', c.pipeline], ...(c.peer ? ([['dbt peer', c.peer]] as [string, ToolCorrectness][]) : [])];
    out.push(
      table(
        ['dimension', 'tool', 'versions expected', 'missing', 'extra', 'wrong (same start, other end or attributes)'],
        tools.flatMap(([tool, t]) => [
          ['dim_customers', tool, ...dimensionCells(t.dimCustomers)],
          ['dim_products', tool, ...dimensionCells(t.dimProducts)],
        ]),
        ['l', 'l', 'r', 'r', 'r', 'r'],
      ),
    );
    out.push('');
    out.push(
      table(
        ['fact', 'tool', 'rows expected', 'lost', 'duplicated', 'extra', 'wrong point-in-time key (of which other attributes)', 'other columns wrong'],
        tools.flatMap(([tool, t]) => [
          ['fact_order_items', tool, ...factCells(t.factOrderItems)],
          ['fact_payments', tool, ...factCells(t.factPayments)],
        ]),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    out.push('');
    out.push(`Wrong rows in all: ecomdw ${n(wrongRows(c.pipeline))}${c.peer ? `, dbt peer ${n(wrongRows(c.peer))}` : ''}.`);
    out.push('');
  }
  out.push(
    'Why the peer differs (each follows from how dbt snapshots and incremental models work, not from a slip in the peer): a snapshot ' +
      'sees the latest record per key at each run, so several changes of a key in one batch become one version and a late change ' +
      '(older `updated_at` than the version already captured) is never seen; the timestamp strategy compares `updated_at` only, so a ' +
      'same-instant conflict settled in a later batch keeps the first attributes seen, and a change that repeats the attributes still opens ' +
      'a version; incremental facts are rebuilt for the orders a batch touches, so when a dimension\'s history changes later the facts ' +
      'already built keep their old version; and a fact whose customer or product has not arrived points at one unknown member ' +
      '(re-tried every run until it arrives) where docs/spec.md gives the key an inferred member of its own. "Of which other attributes": the ' +
      'version pointed at carries other attributes than the right one (another segment, city or unit cost at purchase); the rest point ' +
      'at a version with the right attributes but other validity dates.',
  );
  out.push('');
  return out.join('\n');
}

const COLD_KEYS_TEXT = {
  older: 'keys that sort before the real ones, as the older orders, customers and products of a shop with sequential ids do',
  interleaved: 'keys that sort among the real ones, as UUIDs would (DuckDB cannot skip the copies by min/max)',
} as const;

function scaleSection(r: ScaleResult, repeat: number, coldKeys: BenchRun['coldKeys']): string {
  const out: string[] = [];
  const g = r.generate;
  const tables = Object.entries(g.rowsByTableAndBatch);
  out.push(`## Scale ${r.scale}`);
  out.push('');
  out.push(
    `**Lake.** ${r.days} daily batches (${g.batches[0]} … ${r.lastBatch}), ${n(g.rows)} raw rows in mixed CSV / JSON lines / Parquet, ` +
      `${(g.lakeBytes / 1024 ** 2).toFixed(0)} MiB. Generated in ${s(g.seconds)}: **${n(g.rowsPerSecond)} rows/s**, peak RSS ${gib(g.maxRssBytes)}.`,
  );
  out.push('');
  out.push(
    table(
      ['table', ...g.batches.map((b) => b.slice(5)), 'total'],
      tables.map(([name, byBatch]) => [name, ...g.batches.map((b) => n(byBatch[b] ?? 0)), n(Object.values(byBatch).reduce((a, b) => a + b, 0))]),
    ),
  );
  out.push('');
  const f = r.fullLoad;
  out.push(`### Full load: all ${f.batches.length} batches into an empty warehouse`);
  out.push('');
  out.push(
    `${s(f.seconds)} wall, ${s(f.cpuSeconds ?? 0)} CPU, **${n(rawRows(f) / f.seconds)} raw rows/s**, peak RSS ${gib(f.maxRssBytes)}, ` +
      `warehouse file ${(f.dbBytes / 1024 ** 2).toFixed(0)} MiB. The floor (below) is ${s(r.floor.seconds)}: pipeline / floor = **${x(f.seconds / r.floor.seconds)}**.`,
  );
  out.push('');
  out.push(table(['step (summed over batches)', 'wall', 'share'], stepRows(f)));
  out.push('');
  out.push(
    table(
      ['batch', 'raw rows', 'seconds', 'rows/s', 'versions created', 'fact rows upserted'],
      f.batches.map((b) => [b.batchId, n(b.rawRows), s(b.seconds), n(b.rawRows / b.seconds), n(b.versionsCreated), n(b.factRowsUpserted)]),
    ),
  );
  out.push('');
  const fl = r.floor;
  out.push('### Floor: the same raw files into plain tables');
  out.push('');
  out.push(
    `One DuckDB process (all cores) on a database file: \`create table … as select * from read_csv/read_json/read_parquet(…)\` per table, batch and format, ` +
      `then a checkpoint. ${n(fl.rows)} rows from ${fl.files - fl.unreadableFiles} files (${fl.unreadableFiles} unreadable skipped) in ` +
      `**${s(fl.seconds)}** (${s(fl.cpuSeconds ?? 0)} CPU): ${n(fl.rows / fl.seconds)} rows/s, peak RSS ${gib(fl.maxRssBytes)}.`,
  );
  out.push('');
  if (r.contractFloor) out.push(contractFloorSection(r.contractFloor, fl, f));
  if (r.reporting) out.push(reportingSection(r));
  out.push(`### One-day batch (${r.lastBatch})${r.costGrowth.length > 1 ? ' and cost growth' : ''}`);
  out.push('');
  if (r.costGrowth.length === 1) {
    out.push(
      `The same batch (identical raw files) on the full load's history (1×), in a fresh process from a copy of the history, ` +
        `${repeat} run${repeat === 1 ? '' : 's'}; the median run is shown. No larger histories at this scale (\`--growth-scales\`).`,
    );
  } else out.push(
    `The same batch (identical raw files) on the full load's history (1×) and on histories 3× and 10× larger: the 1× history plus ` +
      `2 and 9 cold copies (customers, products, orders and facts the batch never touches; ${COLD_KEYS_TEXT[coldKeys]}), so the ` +
      `histories differ only in size and the batch does the same work on each (equal fact rows upserted and versions created below). ` +
      `Each in a fresh process from a copy of the history, ${repeat} run${repeat === 1 ? '' : 's'} each, interleaved; the median run is shown.`,
  );
  out.push('');
  const one = entryAt(r, 1);
  out.push(
    table(
      ['history', 'rows before the batch', 'batch wall (median)', 'all runs', 'ratio to 1×', 'CPU', 'raw rows/s', 'peak RSS (worst run)', 'fact rows upserted', 'versions created'],
      r.costGrowth.map((c) => [
        `${c.factor}×`,
        n(c.historyRows),
        `**${s(pipelineBatch(c).seconds)}**`,
        c.runsSeconds.map((t) => t.toFixed(1)).join(' / '),
        one ? x(pipelineBatch(c).seconds / pipelineBatch(one).seconds) : '–',
        s(pipelineBatch(c).cpuSeconds),
        n(rawRows(c.median) / pipelineBatch(c).seconds),
        gib(Math.max(...(c.runsMaxRssBytes ?? [c.median.maxRssBytes]))),
        n(c.median.batches[0]?.factRowsUpserted ?? 0),
        n(c.median.batches[0]?.versionsCreated ?? 0),
      ]),
    ),
  );
  out.push('');
  const perStep = r.costGrowth.map((c) => stepTotals(c.median));
  const names = [...STEP_ORDER.filter((step) => perStep.some((t) => t.has(step)))];
  out.push(
    table(
      ['step of the one-day batch', ...r.costGrowth.map((c) => `${c.factor}× history`)],
      [
        ...names.map((step) => [step, ...perStep.map((t) => s((t.get(step) ?? 0) / 1000))]),
        ['**total** (of the run these steps belong to)', ...r.costGrowth.map((c) => `**${s(c.median.seconds)}**`)],
      ],
    ),
  );
  out.push('');
  return out.join('\n');
}

function contractFloorSection(c: ContractFloorResult, fl: FloorResult, f: PipelineResult): string {
  const out: string[] = ['### Contract floor: the writes docs/spec.md requires, without the logic', ''];
  out.push(
    `The same DuckDB process, per batch in order: each raw file to silver Parquet with an md5 row hash (no parsing, checks or ` +
      `quarantine); silver into the warehouse's staging tables (values cast, a bad one becomes NULL); the history rows of the batch's ` +
      `keys replaced by the batch's latest row per key (by \`updated_at\` alone, never compared with the history's own; customers and ` +
      `products only appended); the fact rows of every order the batch ` +
      `touches deleted and rebuilt from history joined with the order (no dimensions); one commit per batch and a checkpoint at the end. ` +
      `No SCD2, no dimension lookups, no tests, no metrics, no state machine. ${n(c.stagedRows)} rows staged, ${n(c.factRows)} fact rows ` +
      `written, in **${s(c.seconds)}** (${s(c.cpuSeconds ?? 0)} CPU, peak RSS ${gib(c.maxRssBytes)}): **${x(c.seconds / fl.seconds)} the floor**; ` +
      `the pipeline takes ${x(f.seconds / c.seconds)} the contract floor.`,
  );
  out.push('');
  out.push(
    table(
      ['part (summed over batches)', 'wall', 'share'],
      [
        ...CONTRACT_FLOOR_PARTS.map((part) => [part, s(c.partSeconds[part]), pct(c.partSeconds[part] * 1000, c.seconds * 1000)]),
        ['**total** (with opening and counting)', `**${s(c.seconds)}**`, '100 %'],
      ],
    ),
  );
  out.push('');
  return out.join('\n');
}

const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(0)} %`;

function reportingSection(r: ScaleResult): string {
  const rep = r.reporting as ReportingResult;
  const share = martsShare(r);
  const out: string[] = ['### Reports and marts', ''];
  out.push(
    `\`ecomdw report\` on the full load's warehouse (every section; median of ${rep.reports[0]?.runsSeconds.length ?? 0} runs after a warm-up, ` +
      `the warehouse already open: opening it took ${s(rep.openSeconds)}). Peak RSS ${gib(rep.maxRssBytes)}.`,
  );
  out.push('');
  out.push(
    table(
      ['report', 'median', 'all runs', 'rows'],
      rep.reports.map((t) => [t.name, `**${s(t.medianSeconds)}**`, t.runsSeconds.map((x) => x.toFixed(2)).join(' / '), n(t.rows)]),
    ),
  );
  out.push('');
  out.push(
    `The marts are views over known.* (what the warehouse knew, load by load), which BuildMarts keeps per batch` +
      (share ? `: ${s(share.martsSeconds)} of the one-day batch on the 1× history, adding ${(share.share * 100).toFixed(1)} % to the rest of it (${s(share.restSeconds)})` : '') +
      (share?.withTests
        ? `; with the reporting layer's data tests in ValidateBatch (${s(share.withTests.testsSeconds)}), ${(share.withTests.share * 100).toFixed(1)} %`
        : '') +
      `. Reading each view in full, what rebuilding it as a table after every batch would cost at least (and growing with the history):`,
  );
  out.push('');
  out.push(table(['mart view', 'read in full'], Object.entries(rep.martSeconds).map(([view, seconds]) => [view, s(seconds)])));
  out.push('');
  out.push(`Rows in known.* after the full load: ${Object.entries(rep.knownRows).map(([t, rows]) => `${t} ${n(rows)}`).join(', ')}.`);
  out.push('');
  return out.join('\n');
}

/** Where the time goes, and what grows with the history: computed from the run, for the largest scale. */
function whySection(run: BenchRun): string {
  const r = [...run.scales].sort((a, b) => b.scale - a.scale)[0];
  if (!r) return '';
  const f = r.fullLoad;
  const steps = stepTotals(f);
  const wall = f.seconds * 1000;
  const factRows = f.batches.reduce((sum, b) => sum + b.factRowsUpserted, 0);
  const raw = rawRows(f);
  const out: string[] = ['## Why', ''];
  out.push(
    `**Full load (scale ${r.scale}) against its floor: ${x(f.seconds / r.floor.seconds)}.** The floor reads each raw row once and ` +
      `writes it once. Per raw row the pipeline also parses and checks every value and computes an md5 row hash, then writes ` +
      `silver and quarantine Parquet (NormalizeTable, ${pct(steps.get('NormalizeTable') ?? 0, wall)} of the wall time); loads the ` +
      `silver rows into staging (LoadStaging, ${pct(steps.get('LoadStaging') ?? 0, wall)}); keeps the latest record per key in ` +
      `history and rebuilds the facts of every order the batch touches (BuildFacts, ${pct(steps.get('BuildFacts') ?? 0, wall)}); ` +
      `and tests what it built (ValidateBatch, ${pct(steps.get('ValidateBatch') ?? 0, wall)}). The generator's daily batches carry ` +
      `status updates, payments and shipments for most orders of the days before, so the load rewrote ${n(factRows)} fact rows ` +
      `for ${n(raw)} raw rows (${(factRows / raw).toFixed(2)} per raw row): real work that a load of the final state alone would not do. ` +
      `Each step commits once, and DuckDB checkpoints at a commit once the write-ahead log passes 16 MB: the changed row groups ` +
      `are compressed and written then, and those whose rows the fact rebuild deleted are vacuumed, inside the step's time.`,
  );
  out.push('');
  const c = r.contractFloor;
  if (c) {
    const allowed = TARGETS.fullLoadOverFloorAt10 * r.floor.seconds;
    const left = allowed - c.seconds;
    out.push(
      `**What the contract alone costs.** The contract floor (the writes docs/spec.md makes any implementation do: silver Parquet ` +
        `with a row hash, staging, history per key, the touched orders' facts rewritten; none of the logic) takes ` +
        `${x(c.seconds / r.floor.seconds)} the floor (${s(c.seconds)} vs ${s(r.floor.seconds)}). ` +
        `${x(TARGETS.fullLoadOverFloorAt10)} the floor is ${s(allowed)}, which ` +
        (left > 0 ? `leaves ${s(left)}` : 'leaves nothing') +
        ` for every value check and quarantine, the tie-breaks that keep an older record from overwriting a newer one, SCD2 versions, point-in-time dimension lookups, ` +
        `the data tests, metrics and a transaction per step, over ${f.batches.length} batches and ${n(raw)} raw rows; the pipeline spends ` +
        `${s(f.seconds - c.seconds)} on them (${x(f.seconds / c.seconds)} the contract floor).`,
    );
    out.push('');
  }
  const one = entryAt(r, 1);
  const ten = entryAt(r, 10);
  if (one && ten) {
    const a = stepTotals(one.median);
    const b = stepTotals(ten.median);
    const grown = [...b.entries()]
      .filter(([step]) => !step.startsWith('NormalizeTable '))
      .map(([step, ms]) => [step, ms - (a.get(step) ?? 0)] as const)
      .filter(([, delta]) => delta > 250)
      .sort((p, q) => q[1] - p[1]);
    const otherDelta = ten.median.seconds - one.median.seconds - grown.reduce((sum, [, d]) => sum + d / 1000, 0);
    out.push(
      `**Cost growth (scale ${r.scale}): the one-day batch takes ${x(ten.median.seconds / one.median.seconds)} as long on a ` +
        `history 10× larger** (${s(one.median.seconds)} → ${s(ten.median.seconds)}; it does the same work on both: ` +
        `${n(one.median.batches[0]?.factRowsUpserted ?? 0)} fact rows upserted). ` +
        (grown.length > 0
          ? `The extra time is in ${grown.map(([step, d]) => `${step} (+${s(d / 1000)})`).join(', ')}` +
            `${otherDelta > 0.25 ? ` and outside the steps (+${s(otherDelta)}: the final checkpoint)` : ''}. `
          : '') +
        `What still reads more than the batch: the SCD2 tiling and unique tests read whole dimensions, and the fact rebuild ` +
        `appends to and vacuums fact tables ten times larger. The joins of the batch's orders with the history skip the older row ` +
        `groups by their min/max only because the keys sort by arrival (${run.coldKeys === 'older' ? 'as in this run' : 'not the case in this run: `--cold-keys interleaved`'}).`,
    );
    out.push('');
  }
  out.push('How these were found, and how to profile a step: [docs/benchmarks.md](docs/benchmarks.md).');
  out.push('');
  return out.join('\n');
}

const MEANING = `## What the figures mean

- **Wall** is elapsed time; **CPU** is user + system time of the scenario's process (both cores count). On a shared
  machine other processes stretch the wall times; the load average above says how busy it was, and CPU time moves less.
- **raw rows/s** is rows in the raw files (every table, malformed and rejected rows included) per wall second.
- **Peak RSS** is the scenario process's maximum resident set (\`process.resourceUsage().maxRSS\`); DuckDB runs in-process, so it
  includes DuckDB's buffers. Each scenario runs in its own process.
- **Full load** runs every batch through the state machine (\`aws-local-stepfunctions\`, the same ASL as the cloud) into an empty
  warehouse file. It runs as two runs of the runner (all but the last batch, then the last), so that the first days' warehouse
  can be kept as the 1× history; the copy is not timed.
- **Floor**: the least any pipeline needs to land the same raw rows in DuckDB tables: read every raw file and write its rows,
  with no parsing, validation, history or modelling. **pipeline / floor** is what the pipeline's semantics cost on top of I/O.
- **Contract floor**: the least any implementation of docs/spec.md needs to write (silver files, staging, history, rebuilt facts),
  done with the simplest SQL and none of the logic. **contract floor / floor** is the I/O the contract itself adds;
  **pipeline / contract floor** is what the logic costs (checks, SCD2, lookups, tests, per-step transactions).
- **dbt peer**: \`bench/peers/dbt\`, the same star schema built with dbt-core and dbt-duckdb (same DuckDB version, memory
  budget and threads) from the silver Parquet the full load wrote: per batch \`dbt snapshot\`, \`dbt run\`, \`dbt test\`, each a
  new process. Its wall time is summed over those commands; its CPU time and peak RSS are those of the dbt processes
  (\`getrusage(RUSAGE_CHILDREN)\` in \`run_batches.py\`), start-up and parsing included. It does not read raw files: compare it
  with the pipeline without NormalizeTable too. How it is built and why: [bench/peers/dbt/README.md](bench/peers/dbt/README.md).
- **Correctness**: every silver row of the lake goes to the independent reference model (\`tests/reference/\`); each tool's
  tables after the full load are compared with its answer row by row. Dimension versions are matched on (natural key,
  \`valid_from\`); facts on their grain; a fact's surrogate keys are compared as the version they point at.
- **One-day batch / cost growth**: the batch is the lake's last day. Its orders were placed over the earlier days, and it carries
  their status updates, payments and shipments: most facts of the last days are rebuilt, which is real work that follows the
  batch. The 3× and 10× histories (built at \`--growth-scales\` only) add cold customers, products, orders and facts that the batch never touches; whatever the
  batch's time gains from them is cost that grows with the history instead of the batch.
- Each step's time includes its commit, and a commit may checkpoint (see above). "other" is the time outside the steps:
  opening the warehouse, the runner, and the checkpoint when the warehouse is closed at the end of a run.

How to run the benchmark and how it is built: [docs/benchmarks.md](docs/benchmarks.md).
`;

/** The whole report. */
export function renderReport(run: BenchRun): string {
  const m = run.machine;
  const out: string[] = [];
  out.push('# Benchmarks');
  out.push('');
  // A merged report (--from-results a,b) names each run with its date and load already.
  const by = run.command.includes('`') ? run.command : `\`${run.command}\` on ${run.date.slice(0, 16).replace('T', ' ')} UTC`;
  out.push(`Written by ${by}; re-run it rather than editing this file.`);
  out.push('');
  out.push(
    table(
      ['machine', ''],
      [
        ['CPU', `${m.cpuModel}, ${m.cores} cores`],
        ['memory', gib(m.memoryBytes)],
        ['OS', m.platform],
        ['Node', m.node],
        ['DuckDB', `${m.duckdb} (\`@duckdb/node-api\`)`],
        ['commit', m.commit],
        ['load average (1 min) at start / end', `${m.loadAverageAtStart.toFixed(1)} / ${run.loadAverageAtEnd.toFixed(1)}`],
        ['bench time', `${(run.totalSeconds / 60).toFixed(1)} min`],
      ],
      ['l', 'l'],
    ),
  );
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push(targetsSection(run));
  out.push('');
  if (run.skipped.length > 0) {
    out.push(`Skipped: ${run.skipped.join('; ')}.`);
    out.push('');
  }
  out.push('## Summary');
  out.push('');
  out.push(summarySection(run));
  out.push('');
  out.push(sideBySideSection(run));
  out.push(correctnessSection(run));
  for (const result of run.scales) out.push(scaleSection(result, run.repeat, run.coldKeys));
  out.push(whySection(run));
  out.push(MEANING);
  return `${out.join('\n')}`;
}
