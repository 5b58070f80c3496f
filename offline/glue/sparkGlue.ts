import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { S3 } from '@aws-sdk/client-s3';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
/** The project's Python environment (scripts/python-env.sh) and Spark's S3A jars (scripts/spark-s3-jars.sh). */
const VENV_PYTHON = path.join(REPO, '.venv/bin/python');
const JARS = path.join(REPO, '.spark-jars');

/** The Glue job as the stack defines it (offline/cloud/deployedStack.ts). */
export interface GlueJobSpec {
  readonly name: string;
  readonly glueVersion: string;
  /** `s3://bucket/key` of the script. */
  readonly scriptLocation: string;
  readonly defaultArguments: Readonly<Record<string, string>>;
  readonly maxConcurrentRuns: number;
}

/** A run as GetJobRun describes it (what the glue:startJobRun.sync integration returns). */
export interface JobRun {
  readonly Id: string;
  readonly Attempt: number;
  readonly JobName: string;
  readonly JobMode: 'SCRIPT';
  readonly StartedOn: string;
  readonly LastModifiedOn: string;
  readonly CompletedOn: string;
  readonly JobRunState: 'SUCCEEDED' | 'FAILED';
  readonly Arguments: Readonly<Record<string, string>>;
  readonly ErrorMessage?: string;
  readonly ExecutionTime: number;
  readonly GlueVersion: string;
}

/** Glue refused to start a run (the name Step Functions matches is `Glue.<this name>`). */
export class GlueServiceError extends Error {
  public constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface SparkGlueOptions {
  /** The S3 API (moto) and the credentials of the job's role there. */
  readonly s3Endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Reads the script from its S3 location at each run, as Glue does. */
  readonly s3: S3;
}

/**
 * The Glue job under real Spark: one Python driver process (glue_driver.py,
 * the project's pyspark 3.5.4 = Glue 5.0) with one SparkSession for every run,
 * s3:// through Hadoop S3A to the offline S3 API. Each run downloads the job's
 * script from its S3 location and runs it as `__main__` with the arguments
 * Glue passes (JOB_ID, JOB_RUN_ID, JOB_NAME, the job's default arguments
 * overlaid by the run's). Runs the Map starts together are accepted together
 * (more than the job's MaxConcurrentRuns is ConcurrentRunsExceededException,
 * as in Glue) and executed one after another in the driver; each run's
 * StartedOn is when it actually started.
 */
export class SparkGlue {
  public readonly runs: JobRun[] = [];
  /** The job's stdout (Glue's `<prefix>/output` log group) and stderr (`<prefix>/error`). */
  public readonly output: string[] = [];
  public readonly errors: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private active = 0;
  private nextRequest = 0;
  private readonly pending = new Map<string, (answer: DriverAnswer) => void>();
  private readonly scratch = mkdtempSync(path.join(os.tmpdir(), 'ecomdw-glue-'));

  private constructor(
    private readonly job: GlueJobSpec,
    private readonly options: SparkGlueOptions,
    private readonly driver: ChildProcess,
    answers: Interface,
  ) {
    answers.on('line', (line) => {
      const answer = JSON.parse(line) as DriverAnswer;
      if (answer.id !== undefined) this.pending.get(answer.id)?.(answer);
    });
    driver.once('exit', (code, signal) => {
      for (const [id, resolve] of this.pending) resolve({ id, ok: false, error: `the Spark driver exited (${signal ?? code})` });
    });
  }

  /** Starts the driver (one JVM) with the job's Spark settings and waits until Spark is up. */
  public static async start(job: GlueJobSpec, options: SparkGlueOptions): Promise<SparkGlue> {
    for (const [file, script] of [
      [VENV_PYTHON, 'scripts/python-env.sh'],
      [path.join(JARS, '.installed'), 'scripts/spark-s3-jars.sh'],
    ] as const) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run ${script} first (npm test and npm run test:cloud-offline do)`);
    }
    const confs = sparkConfs(job.defaultArguments['--conf']);
    const driver = spawn(VENV_PYTHON, [path.join(HERE, 'glue_driver.py'), '--jars', JARS, ...confs.flatMap((c) => ['--conf', c])], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        JAVA_HOME: process.env.JAVA_HOME,
        // The awsglue stand-in (offline/glue/awsglue) is what the script imports.
        PYTHONPATH: HERE,
        // Spark's Python workers run the same interpreter as the driver (Glue: one Python 3.11).
        PYSPARK_PYTHON: VENV_PYTHON,
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONUNBUFFERED: '1',
        AWS_ENDPOINT_URL_S3: options.s3Endpoint,
        AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
        AWS_REGION: options.region,
        AWS_DEFAULT_REGION: options.region,
        // Spark binds to this machine's address otherwise (and warns about it).
        SPARK_LOCAL_IP: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const answers = createInterface({ input: driver.stdio[3] as NodeJS.ReadableStream });
    const glue = new SparkGlue(job, options, driver, answers);
    createInterface({ input: driver.stdout as NodeJS.ReadableStream }).on('line', (line) => glue.output.push(line));
    createInterface({ input: driver.stderr as NodeJS.ReadableStream }).on('line', (line) => glue.errors.push(line));
    const ready = await new Promise<DriverAnswer>((resolve) => {
      answers.once('line', (line) => resolve(JSON.parse(line) as DriverAnswer));
      driver.once('exit', (code, signal) => resolve({ ready: false, error: `the driver exited (${signal ?? code})` }));
    });
    if (!ready.ready) throw new Error(`the Spark driver did not start: ${ready.error ?? ''}\n${glue.errors.slice(-30).join('\n')}`);
    return glue;
  }

  /**
   * StartJobRun and wait for it (the `.sync` integration): the finished run,
   * SUCCEEDED or FAILED. Refused at once (GlueServiceError) when the job
   * already runs MaxConcurrentRuns times or the job name is not this job's.
   */
  public async startJobRunSync(jobName: string, runArguments: Readonly<Record<string, string>>): Promise<JobRun> {
    if (jobName !== this.job.name) throw new GlueServiceError('EntityNotFoundException', `Job ${jobName} not found (the stack's job is ${this.job.name})`);
    if (this.active >= this.job.maxConcurrentRuns) {
      throw new GlueServiceError('ConcurrentRunsExceededException', `Concurrent runs exceeded for ${jobName}: ${this.job.maxConcurrentRuns} allowed`);
    }
    this.active += 1;
    const id = `jr_${randomBytes(32).toString('hex')}`;
    let started = new Date();
    try {
      const turn = this.queue.then(() => {
        started = new Date();
        return this.execute(id, runArguments);
      });
      this.queue = turn.catch(() => undefined);
      const answer = await turn;
      const completed = new Date();
      const run: JobRun = {
        Id: id,
        Attempt: 0,
        JobName: jobName,
        JobMode: 'SCRIPT',
        StartedOn: started.toISOString(),
        LastModifiedOn: completed.toISOString(),
        CompletedOn: completed.toISOString(),
        JobRunState: answer.ok ? 'SUCCEEDED' : 'FAILED',
        Arguments: { ...runArguments },
        ...(answer.ok ? {} : { ErrorMessage: answer.error ?? 'unknown error' }),
        ExecutionTime: Math.max(1, Math.round((completed.getTime() - started.getTime()) / 1000)),
        GlueVersion: this.job.glueVersion,
      };
      this.runs.push(run);
      return run;
    } finally {
      this.active -= 1;
    }
  }

  /** Ends the driver (Spark stops with it). */
  public async stop(): Promise<void> {
    if (this.driver.exitCode === null && this.driver.signalCode === null) {
      const gone = new Promise((resolve) => this.driver.once('exit', resolve));
      this.driver.stdin?.end();
      const timer = setTimeout(() => this.driver.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private async execute(runId: string, runArguments: Readonly<Record<string, string>>): Promise<DriverAnswer> {
    const script = await this.downloadScript();
    const argv = Object.entries({
      '--JOB_ID': `j_${randomBytes(32).toString('hex')}`,
      '--JOB_RUN_ID': runId,
      ...this.job.defaultArguments,
      ...runArguments,
      '--JOB_NAME': this.job.name,
    }).flat();
    const id = String((this.nextRequest += 1));
    const answer = new Promise<DriverAnswer>((resolve) => this.pending.set(id, resolve));
    this.driver.stdin?.write(`${JSON.stringify({ id, script, argv })}\n`);
    try {
      return await answer;
    } finally {
      this.pending.delete(id);
    }
  }

  private async downloadScript(): Promise<string> {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(this.job.scriptLocation);
    if (!match) throw new Error(`the job's script location ${this.job.scriptLocation} is not an s3:// URL`);
    const object = await this.options.s3.getObject({ Bucket: match[1] as string, Key: match[2] as string });
    const file = path.join(this.scratch, path.basename(match[2] as string));
    writeFileSync(file, (await object.Body?.transformToByteArray()) ?? new Uint8Array());
    return file;
  }
}

interface DriverAnswer {
  readonly id?: string;
  readonly ready?: boolean;
  readonly ok?: boolean;
  readonly error?: string;
  readonly trace?: string;
}

/** Glue's `--conf` value may chain settings: `a=1 --conf b=2`. */
function sparkConfs(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/\s+--conf\s+/)
    .map((c) => c.trim())
    .filter(Boolean);
}
