import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3 } from '@aws-sdk/client-s3';
import { freePort } from '../postgres/embeddedPostgres.js';

/** The project's Python environment (scripts/python-env.sh; `npm test` creates it). */
const VENV = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.venv');

/** A running local S3 API. */
export interface OfflineS3 {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** A client of the SDK the lake uses, pointed at the server (path-style, dummy credentials). */
  client(credentials?: { accessKeyId: string; secretAccessKey: string }): S3;
  stop(): Promise<void>;
}

export interface StartS3Options {
  /**
   * moto's IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT): requests after the
   * first `n` are authenticated and authorized against moto's IAM. Default: off.
   */
  readonly authorizeAfterActions?: number;
}

/**
 * Starts moto's server mode (the `moto[server]` pin of requirements/test.txt)
 * on a free loopback port and waits until it answers. Nothing leaves the machine.
 */
export async function startS3(options: StartS3Options = {}): Promise<OfflineS3> {
  const binary = path.join(VENV, 'bin', 'moto_server');
  if (!existsSync(binary)) throw new Error(`moto_server not found at ${binary}: run scripts/python-env.sh (npm test does) first`);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' };
  if (options.authorizeAfterActions !== undefined) env.INITIAL_NO_AUTH_ACTION_COUNT = String(options.authorizeAfterActions);
  const child: ChildProcess = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`moto_server exited (${code}) before answering: ${stderr}`))));
  const ready = (async () => {
    for (let i = 0; i < 200; i++) {
      try {
        // moto's own health endpoint answers without credentials or auth counting.
        if ((await fetch(`${endpoint}/moto-api/`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`moto_server did not answer on ${endpoint} within 10 s: ${stderr}`);
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return {
    endpoint,
    client: (credentials = { accessKeyId: 'offline', secretAccessKey: 'offline' }) =>
      new S3({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials }),
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
