import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';
import type { Statement, WarehouseEngine } from '../../functions/core/engine/types.js';

/** Where a fault strikes within one step: after its k-th statement (inside the transaction), or right after its t-th commit. */
export type Fault = { readonly kind: 'statement'; readonly at: number } | { readonly kind: 'commit'; readonly transaction: number };

/** What one step sends to the warehouse: the statement count of each of its transactions, in order. */
export type StepTransactions = number[];

/** The message every injected fault carries, so a test can tell it from a real failure. */
export const INJECTED = 'injected fault';

/** Describes a fault for a test name. */
export function describeFault(fault: Fault): string {
  return fault.kind === 'statement' ? `after statement ${fault.at}` : `after commit ${fault.transaction}`;
}

/** Every fault a step with these transactions can meet: after each statement, and after each commit. */
export function faultsOf(transactions: StepTransactions): Fault[] {
  const total = transactions.reduce((sum, n) => sum + n, 0);
  return [
    ...Array.from({ length: total }, (_, i): Fault => ({ kind: 'statement', at: i + 1 })),
    ...transactions.map((_, i): Fault => ({ kind: 'commit', transaction: i + 1 })),
  ];
}

/** An engine that records the size of every transaction it is given, and runs them; `committed` is told each one's number after its commit. */
export function countingEngine(engine: WarehouseEngine, into: StepTransactions, committed?: (transaction: number) => Promise<void>): WarehouseEngine {
  return {
    ...delegate(engine),
    transaction: async (statements) => {
      into.push(statements.length);
      await engine.transaction(statements);
      await committed?.(into.length);
    },
  };
}

/**
 * An engine whose transactions run for real until the fault: a statement fault
 * runs the transaction's statements up to the k-th (counted over the step) and
 * then one that fails inside the same transaction, so the engine's own rollback
 * path runs; a commit fault lets the t-th transaction commit and then throws, as
 * a process dying right after a commit would leave it.
 */
export function faultyEngine(engine: WarehouseEngine, fault: Fault): WarehouseEngine {
  let statementsSeen = 0;
  let transactionsSeen = 0;
  return {
    ...delegate(engine),
    transaction: async (statements: readonly Statement[]) => {
      transactionsSeen += 1;
      const first = statementsSeen + 1;
      statementsSeen += statements.length;
      if (fault.kind === 'statement' && fault.at >= first && fault.at <= statementsSeen) {
        const failing: Statement = { label: `${INJECTED} after statement ${fault.at}`, sql: 'select * from injected_fault_no_such_table' };
        await engine.transaction([...statements.slice(0, fault.at - first + 1), failing]);
        throw new Error(`${INJECTED}: the failing statement did not fail`);
      }
      await engine.transaction(statements);
      if (fault.kind === 'commit' && fault.transaction === transactionsSeen) throw new Error(`${INJECTED} after commit ${fault.transaction}`);
    },
  };
}

function delegate(engine: WarehouseEngine): WarehouseEngine {
  return {
    dialect: engine.dialect,
    loadParquet: (...args) => engine.loadParquet(...args),
    query: (statement) => engine.query(statement),
    close: () => engine.close(),
    transaction: (statements) => engine.transaction(statements),
  };
}

/**
 * A fingerprint of every table in the given schemas: row count and the sum of
 * the rows' hashes (a multiset hash: row order does not matter), per table.
 */
export async function fingerprint(db: string, schemas: readonly string[]): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const tables = (await connection.runAndReadAll(
      `select table_schema, table_name from information_schema.tables
       where table_schema in (${schemas.map((s) => `'${s}'`).join(', ')}) and table_type = 'BASE TABLE' order by all`,
    )).getRowObjectsJson() as { table_schema: string; table_name: string }[];
    const parts = tables.map(
      ({ table_schema, table_name }) =>
        `select '${table_schema}.${table_name}' as name, count(*) || ':' || coalesce(sum(hash(t))::varchar, '-') as print from "${table_schema}"."${table_name}" as t`,
    );
    const rows = (await connection.runAndReadAll(parts.join(' union all '))).getRowObjectsJson() as { name: string; print: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.print]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** How a killed `ecomdw` command ended. */
export interface KilledRun {
  /** Whether the line was seen and the process killed (false: it ended first). */
  readonly killed: boolean;
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
}

/**
 * Runs `ecomdw run` in a child process (one process, as `npm run ecomdw` runs it)
 * and kills it with SIGKILL the moment a progress line matching `killAt` reaches
 * stderr: the step has committed and printed, the next one has barely begun.
 */
export function runAndKill(args: readonly string[], killAt: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<KilledRun> {
  return commandAndKill(['run', ...args], killAt, env);
}

/** Runs `ecomdw <args>` in a child process and kills it with SIGKILL once a stderr line matches `killAt`. */
export function commandAndKill(args: readonly string[], killAt: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let killed = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (!killed && stderr.split('\n').some((line) => killAt.test(line))) {
        killed = child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ killed, signal, code, stderr }));
  });
}

/**
 * A real full disk for the tests of the calling `describe`: a tmpfs of `megabytes`
 * mounted at /tmp/<name>-<pid> before them (the tests run as root) and unmounted
 * after. Returns the mount point.
 */
export function fullDisk(name: string, megabytes = 12): string {
  const mount = path.join('/tmp', `${name}-${process.pid}`);
  beforeAll(() => {
    mkdirSync(mount, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', mount]);
  });
  afterAll(() => {
    execFileSync('umount', [mount]);
    rmdirSync(mount);
  });
  return mount;
}
