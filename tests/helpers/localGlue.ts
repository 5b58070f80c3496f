/**
 * The Glue job (functions/glue/normalize_job.py) run for real on a local Spark,
 * against a lake folder in place of the S3 bucket: the offline Glue driver
 * (offline/glue/glue_driver.py, one JVM for every run, the `awsglue` stand-in
 * on PYTHONPATH) runs the script as Glue does, `__main__` with the job's
 * arguments, from a folder laid out as infra/etl.ts uploads the job's
 * artifacts (glueJobFiles). Needs the project's virtual environment and
 * Spark's S3A jars (scripts/python-env.sh, scripts/spark-s3-jars.sh: `npm
 * test` runs both) and Java 17.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { glueJobFiles } from '../../infra/etl.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = path.join(REPO, '.venv', 'bin', 'python');
const JARS = path.join(REPO, '.spark-jars');
const DRIVER = path.join(REPO, 'offline', 'glue', 'glue_driver.py');

/** Writes the job's artifacts into `dir` as the infra uploads them under `glue/`; returns the folder. */
export function writeGlueArtifacts(dir: string): string {
  const files = glueJobFiles({
    scriptPath: path.join(REPO, 'functions/glue/normalize_job.py'),
    sqlRoot: path.join(REPO, 'sql'),
    contractPath: path.join(REPO, 'functions/core/contract.json'),
  });
  for (const file of files) {
    const target = path.join(dir, file.key);
    mkdirSync(path.dirname(target), { recursive: true });
    if (file.content !== undefined) writeFileSync(target, file.content);
    else copyFileSync(file.sourcePath ?? '', target);
  }
  return dir;
}

interface Answer {
  readonly id?: string;
  readonly ready?: boolean;
  readonly ok?: boolean;
  readonly error?: string;
  readonly trace?: string;
}

/** A local Spark running the Glue job. */
export class LocalGlue {
  private readonly pending = new Map<string, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
  private log = '';
  private next = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly artifacts: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-20_000);
    });
    child.stdout?.resume();
    createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).on('line', (line) => {
      const answer = JSON.parse(line) as Answer;
      const key = answer.id ?? 'ready';
      this.pending.get(key)?.resolve(answer);
      this.pending.delete(key);
    });
    child.once('exit', (code, signal) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`local Spark exited (${signal ?? code}):\n${this.log}`));
      this.pending.clear();
    });
  }

  /** Starts Spark (≈10 s) with the job's artifacts written under `artifactsDir`. */
  public static async start(artifactsDir: string): Promise<LocalGlue> {
    for (const [file, script] of [
      [PYTHON, 'scripts/python-env.sh'],
      [path.join(JARS, '.installed'), 'scripts/spark-s3-jars.sh'],
    ] as const) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run ${script} first (npm test does)`);
    }
    const artifacts = writeGlueArtifacts(artifactsDir);
    const confs = [
      // The job's own --conf (infra/etl.ts).
      'spark.sql.session.timeZone=UTC',
      // Tiny data: compiling whole-stage code for the large normalization expressions costs more
      // than it saves (expressions still compile; the results are the same either way).
      'spark.sql.codegen.wholeStage=false',
    ];
    const child = spawn(PYTHON, [DRIVER, '--jars', JARS, ...confs.flatMap((c) => ['--conf', c])], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        JAVA_HOME: process.env.JAVA_HOME,
        PYTHONPATH: path.dirname(DRIVER),
        PYSPARK_PYTHON: PYTHON,
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONUNBUFFERED: '1',
        // The lake is a folder: no S3 call is made, but the driver configures S3A from these.
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'us-east-1',
        SPARK_LOCAL_IP: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const glue = new LocalGlue(child, artifacts);
    const ready = await glue.wait('ready');
    if (!ready.ready) throw new Error(`local Spark did not start: ${JSON.stringify(ready)}\n${glue.log}`);
    return glue;
  }

  /** Runs the job for one table and batch of the lake folder `lakeDir`; throws with the job's error. */
  public async run(lakeDir: string, table: string, batchId: string): Promise<void> {
    const id = String(++this.next);
    const argv = ['--JOB_NAME', 'ecomdw-normalize', '--table', table, '--batch_id', batchId, '--lake_bucket', path.resolve(lakeDir), '--sql_prefix', path.join(this.artifacts, 'sql')];
    const answer = this.wait(id);
    this.child.stdin?.write(`${JSON.stringify({ id, script: path.join(this.artifacts, 'normalize_job.py'), argv })}\n`);
    const result = await answer;
    if (!result.ok) throw new Error(`the Glue job failed on ${table} ${batchId}: ${result.error}\n${result.trace ?? ''}`);
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
    this.child.stdin?.end();
    await exited;
  }

  private wait(id: string): Promise<Answer> {
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
}
