/**
 * The Glue job (functions/glue/normalize_job.py) run for real on a local Spark:
 * one Python process, one JVM, many runs of the job's `main` with its real
 * arguments, against a lake folder in place of the S3 bucket and a folder laid
 * out as infra/etl.ts uploads the job's artifacts (glueJobFiles).
 * Needs the project's virtual environment (scripts/python-env.sh, run by
 * `npm test`) and Java 17.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { glueJobFiles } from '../../infra/etl.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = path.join(REPO, '.venv', 'bin', 'python');

/** Writes the job's artifacts into `dir` as the infra uploads them; returns the job's --sql_prefix. */
export function writeGlueArtifacts(dir: string): string {
  const files = glueJobFiles({
    scriptPath: path.join(REPO, 'functions/glue/normalize_job.py'),
    sqlRoot: path.join(REPO, 'sql'),
    contractPath: path.join(REPO, 'functions/shared/contract.json'),
  });
  for (const file of files) {
    const target = path.join(dir, file.key);
    mkdirSync(path.dirname(target), { recursive: true });
    if (file.content !== undefined) writeFileSync(target, file.content);
    else copyFileSync(file.sourcePath ?? '', target);
  }
  return path.join(dir, 'sql');
}

interface Answer {
  readonly ok: boolean;
  readonly seconds?: number;
  readonly error?: string;
  readonly trace?: string;
}

/** A local Spark running the Glue job. */
export class LocalGlue {
  private readonly answers: Interface;
  private readonly pending: { resolve: (answer: Answer) => void; reject: (error: Error) => void }[] = [];
  private log = '';

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly sqlPrefix: string,
  ) {
    this.answers = createInterface({ input: child.stdout });
    this.answers.on('line', (line) => this.pending.shift()?.resolve(JSON.parse(line) as Answer));
    child.once('exit', (code) => {
      for (const waiting of this.pending.splice(0)) waiting.reject(new Error(`local Spark exited (${code}):\n${this.log}`));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-20_000);
    });
  }

  /** Starts Spark (≈10 s) with the job's artifacts under `artifactsDir`. */
  public static async start(artifactsDir: string): Promise<LocalGlue> {
    if (!existsSync(PYTHON)) throw new Error(`no Python environment at ${PYTHON}: run scripts/python-env.sh (npm test does)`);
    const sqlPrefix = writeGlueArtifacts(artifactsDir);
    const child = spawn(PYTHON, [path.join(REPO, 'tests/glue/run_jobs.py')], {
      env: {
        ...process.env,
        PYTHONPATH: [path.join(REPO, 'tests/glue'), path.join(REPO, 'functions/glue')].join(path.delimiter),
        PYTHONDONTWRITEBYTECODE: '1',
        PYSPARK_PYTHON: PYTHON,
        // Short runs on tiny data: the client compiler alone and a serial collector spend far less CPU
        // than the JVM's defaults, which tune for long jobs.
        PYSPARK_SUBMIT_ARGS: '--driver-java-options "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" --conf spark.driver.memory=1g pyspark-shell',
        SPARK_LOCAL_IP: '127.0.0.1',
      },
    });
    const glue = new LocalGlue(child, sqlPrefix);
    const ready = await glue.next();
    if (!('ready' in ready)) throw new Error(`local Spark did not start: ${JSON.stringify(ready)}\n${glue.log}`);
    return glue;
  }

  /** Runs the job for one table and batch of the lake folder `lakeDir`; throws with the job's error. */
  public async run(lakeDir: string, table: string, batchId: string): Promise<number> {
    const argv = ['normalize_job.py', '--JOB_NAME', 'ecomdw-normalize', '--table', table, '--batch_id', batchId, '--lake_bucket', path.resolve(lakeDir), '--sql_prefix', this.sqlPrefix];
    const answer = this.next();
    this.child.stdin.write(`${JSON.stringify(argv)}\n`);
    const result = await answer;
    if (!result.ok) throw new Error(`the Glue job failed on ${table} ${batchId}: ${result.error}\n${result.trace ?? ''}`);
    return result.seconds ?? 0;
  }

  /** CPU seconds the Python driver and its JVM have used so far (Linux /proc; clock ticks of 1/100 s). */
  public cpuSeconds(): number {
    const stats = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .flatMap((pid) => {
        try {
          // pid (comm) state ppid ... utime(14) stime(15): comm may hold spaces, so split after it.
          const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
          return [{ pid: Number(pid), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }];
        } catch {
          return [];
        }
      });
    const tree = new Set([this.child.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const stat of stats) if (!tree.has(stat.pid) && tree.has(stat.ppid)) (tree.add(stat.pid), (grew = true));
    }
    return stats.filter((s) => tree.has(s.pid)).reduce((sum, s) => sum + s.ticks, 0) / 100;
  }

  public async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }

  private next(): Promise<Answer & { ready?: boolean }> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}
