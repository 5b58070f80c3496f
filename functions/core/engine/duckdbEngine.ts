import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { DEFAULT_MEMORY_LIMIT, type CompressionMode } from '../config.js';
import { quotedIdentifier, quotedLiteral } from '../sql/quote.js';
import { WarehouseLockedError, WarehouseNotFoundError, WarehouseOpenError, WarehouseStatementError } from '../errors.js';
import type { Row, Statement, WarehouseEngine } from './types.js';

/** Options for the embedded warehouse. */
export interface DuckDbEngineOptions {
  /** Database file, or ':memory:'. */
  readonly path: string;
  /** The lake folder that `loadParquet` prefixes are relative to. */
  readonly lakeRoot: string;
  /** DuckDB threads; defaults to DEFAULT_WAREHOUSE_THREADS. */
  readonly threads?: number;
  /** WAL size that triggers an automatic checkpoint (e.g. '1GB'); DuckDB's 16 MB unless given. */
  readonly checkpointThreshold?: string;
  /** DuckDB memory budget (e.g. '3GB'); beyond it DuckDB spills to `<db>.tmp`. */
  readonly memoryLimit?: string;
  /** Refuse a file that does not exist instead of creating it (read-only commands). */
  readonly mustExist?: boolean;
  /** Print each statement's time on stderr (EcomdwConfig.traceSql): where a slow step spends it. */
  readonly traceSql?: boolean;
  /** Told each statement's label and milliseconds once it ran inside a transaction (the bench's accounting). */
  readonly onStatement?: StatementObserver;
  /** When committed work is safe on disk; 'commit' unless told otherwise. */
  readonly durability?: WarehouseDurability;
  /**
   * 'none' writes every column uncompressed (`ecomdw run`'s default, and the
   * demo's): choosing and applying a compression per column segment is a large
   * part of writing a row (a scale-10 full load: a fifth less CPU, a file 3x the
   * size). DuckDB's own choice per column ('auto') unless told otherwise.
   */
  readonly compression?: CompressionMode;
  /**
   * Keep each data statement's plan for the engine's life and reuse it when the
   * same text runs again (see PlanCache); off unless told. For a small
   * warehouse only: a plan keeps the join order chosen for the tables' sizes
   * when it was first made (the demo's).
   */
  readonly reusePlans?: boolean;
}

/**
 * When a committed transaction is safe from a crash. 'commit': once it commits
 * (DuckDB writes and syncs its write-ahead log), as every warehouse that keeps
 * data needs. 'checkpoint': once the next checkpoint writes it into the file,
 * at the latest when the engine closes. No WAL is written, so a crash loses the
 * work since the last checkpoint and leaves the file as that checkpoint wrote
 * it, whole and consistent: for a warehouse rebuilt from its lake when lost
 * (the demo's). A checkpoint that fails on close is then an error, since
 * nothing else holds the data.
 */
export type WarehouseDurability = 'commit' | 'checkpoint';

/** Receives a statement's label and its time in milliseconds. */
export type StatementObserver = (label: string, ms: number) => void;

// The budget and its format belong to the configuration (config.ts); re-exported for the engine's callers.
export { DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_PATTERN } from '../config.js';

/**
 * The warehouse's DuckDB threads unless told otherwise: one per core, DuckDB's
 * own default. Measured both ways on this project's 2-core machine: on a quiet
 * machine two threads win everywhere (scale-10 full load 229 s against 315 s with
 * one, the one-day batch 44 against 58 s, the full report 1.9 against 4.7 s;
 * `npm run bench -- --scales 10 --no-peer`, load 1-3); only while other jobs kept
 * both cores busy (load 8-13) did one thread do better (demo 43 -> 33 s, scale-1
 * full load 128 -> 85 s). A caller sets options.threads to choose.
 */
export const DEFAULT_WAREHOUSE_THREADS = Math.max(1, availableParallelism());

// Settings of every warehouse connection, and why: no statement relies on
// physical row order (every ordered read says ORDER BY); without preserving it
// DuckDB inserts in parallel and buffers less (a scale-10 batch's fact rebuild:
// 9.0 -> 8.0 s). The checkpoint threshold stays at DuckDB's 16 MB: a larger one
// saved ~10 % of a scale-10 full load but left deleted fact rows unvacuumed
// until the end of the run (later batches slower, the file twice the size), and
// a checkpoint after every batch cost more than it saved (docs/benchmarks.md).
// DuckDB's vacuum at each checkpoint stays on for the same reason: without it
// (max_vacuum_tasks = 0) the commits are faster, but the rows a batch deletes
// are never reclaimed and every later scan reads them.
const WAREHOUSE_SETTINGS: Readonly<Record<string, string>> = {
  preserve_insertion_order: 'false',
};

/**
 * Rewrites Redshift-style `:name` parameters to DuckDB's `$name`, leaving
 * `::type` casts alone.
 */
export function toDuckDbParams(sql: string): string {
  return sql.replace(/(?<![:\w]):([A-Za-z_]\w*)/g, (_m, name: string) => `$${name}`);
}

/** The warehouse engine on an embedded DuckDB database file. */
export class DuckDbEngine implements WarehouseEngine {
  public readonly dialect = 'duckdb' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly lakeRoot: string,
    private readonly observe: StatementObserver | null,
    private readonly durability: WarehouseDurability,
    private readonly plans: PlanCache | null,
    private readonly memoryLimit: string,
  ) {}

  /**
   * Opens (or creates) the database file; a file held by another process is a
   * WarehouseLockedError, a missing one (with `mustExist`) a WarehouseNotFoundError,
   * any other failure to open it a WarehouseOpenError.
   */
  public static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    if (options.mustExist === true && options.path !== ':memory:' && !existsSync(options.path)) {
      throw new WarehouseNotFoundError(`no warehouse at ${options.path} (run \`ecomdw run\` to build one, or check --db / ECOMDW_DB)`);
    }
    const durability = options.durability ?? 'commit';
    // An in-memory warehouse has no WAL to leave out.
    const withoutWal = durability === 'checkpoint' && options.path !== ':memory:';
    const memoryLimit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
    let instance: DuckDBInstance;
    try {
      const config: Record<string, string> = {
        ...WAREHOUSE_SETTINGS,
        memory_limit: memoryLimit,
        threads: String(options.threads ?? DEFAULT_WAREHOUSE_THREADS),
        ...(options.checkpointThreshold === undefined ? {} : { checkpoint_threshold: options.checkpointThreshold }),
        ...compressionSettings(options.compression ?? 'auto'),
      };
      instance = withoutWal ? await attachedWithoutWal(options.path, config) : await DuckDBInstance.create(options.path, config);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/lock/i.test(message)) {
        throw new WarehouseLockedError(
          `the warehouse ${options.path} is in use by another process (DuckDB allows one process per file); wait for it to finish`,
          { cause: error },
        );
      }
      throw new WarehouseOpenError(`cannot open the warehouse ${options.path}: ${message}`, { cause: error });
    }
    const connection = await instance.connect();
    // Timestamps are UTC everywhere (SPEC section 2); set here, ICU loads lazily.
    await connection.run(`set TimeZone = 'UTC'`);
    if (withoutWal) await connection.run(`use ${ATTACHED}`);
    const observers = [...(options.traceSql === true ? [traceSql] : []), ...(options.onStatement ? [options.onStatement] : [])];
    const observe = observers.length === 0 ? null : (label: string, ms: number) => observers.forEach((o) => o(label, ms));
    const plans = options.reusePlans === true ? new PlanCache(connection) : null;
    return new DuckDbEngine(instance, connection, options.lakeRoot, observe, durability, plans, memoryLimit);
  }

  public async transaction(statements: readonly Statement[]): Promise<void> {
    this.assertOpen(statements[0]);
    return this.inTurn(() => this.runTransaction(statements));
  }

  // One connection, one piece of work at a time: concurrent callers queue up.
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(work);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async runTransaction(statements: readonly Statement[]): Promise<void> {
    await this.execute({ label: 'begin', sql: 'begin transaction' });
    try {
      for (const statement of statements) await this.execute(statement);
      // A commit can checkpoint (rewrite changed row groups), and fail like a statement (a full disk).
      await this.execute({ label: 'commit', sql: 'commit' });
    } catch (error) {
      await this.rollback();
      throw error;
    }
  }

  // A fatal error (a full disk, say) may have ended the transaction already, and
  // then ROLLBACK fails with "no transaction is active": the error worth reporting
  // is the one that ended it, not that one.
  private async rollback(): Promise<void> {
    try {
      await this.connection.run('rollback');
    } catch {
      // the transaction is over either way
    }
  }

  /** Interrupts the statement running now, if any (it fails and its transaction rolls back); the connection stays usable. */
  public interrupt(): void {
    if (!this.closed) this.connection.interrupt();
  }

  public loadParquet(table: string, columns: readonly string[], lakePrefix: string): Statement {
    const list = columns.map(quotedIdentifier).join(', ');
    const glob = path.join(this.lakeRoot, lakePrefix, '*.parquet');
    return {
      label: `load ${table}`,
      sql: `insert into ${table} (${list}) select ${list} from read_parquet(${quotedLiteral(glob)}, union_by_name = true)`,
    };
  }

  public async query(statement: Statement): Promise<Row[]> {
    this.assertOpen(statement);
    return this.inTurn(() => this.runQuery(statement));
  }

  private async runQuery(statement: Statement): Promise<Row[]> {
    try {
      const reader = await this.connection.runAndReadAll(toDuckDbParams(statement.sql), statement.params as never);
      return reader.getRowObjectsJson() as Row[];
    } catch (error) {
      throw this.statementError(statement, error);
    }
  }

  /**
   * Hands back the memory the warehouse holds while idle, for work in the same
   * process that is about to need it (the normalizers): drops the temp tables the
   * steps left (each step makes its own, as a step's session on Redshift ends
   * with it), then lowers DuckDB's budget for a moment, which evicts its cached pages.
   */
  public async releaseMemory(): Promise<void> {
    this.assertOpen(undefined);
    return this.inTurn(async () => {
      // Dropped rather than evicted: evicting writes them to the spill folder (2 s of a
      // scale-30 batch) for nothing, since every step re-creates what it uses. A kept
      // plan may name one of them.
      this.plans?.clear();
      const temps = await this.runQuery({
        label: 'idle temp tables',
        sql: `select database_name, schema_name, table_name from duckdb_tables() where temporary`,
      });
      for (const temp of temps) {
        const name = [temp.database_name, temp.schema_name, temp.table_name].map((part) => quotedIdentifier(String(part))).join('.');
        await this.execute({ label: 'drop idle temp table', sql: `drop table if exists ${name}` });
      }
      // DuckDB refuses a budget below what is pinned now: the pages then stay cached,
      // which costs memory, not correctness; the budget is restored either way.
      await this.connection.run(`set memory_limit = '${RELEASED_MEMORY_LIMIT}'`).catch(() => undefined);
      await this.execute({ label: 'restore memory_limit', sql: `set memory_limit = ${quotedLiteral(this.memoryLimit)}` });
    });
  }

  /** Closes the database once the queued statements are done; later calls are refused. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    // The checkpoint that closing does (writing into the file what the last checkpoint
    // did not: the demo's whole warehouse, ~0.3 s uncompressed) runs here as a statement,
    // off the JavaScript thread, so that a caller can render meanwhile; closeSync then has
    // nothing left to write. If it fails, closeSync checkpoints or keeps the WAL, as it
    // always did. Without a WAL ('checkpoint' durability) nothing else holds the data:
    // its failure is the caller's.
    try {
      await this.connection.run('checkpoint').catch((error: unknown) => {
        if (this.durability === 'checkpoint') throw this.statementError({ label: 'checkpoint on close', sql: 'checkpoint' }, error);
      });
    } finally {
      this.plans?.clear();
      this.connection.closeSync();
      this.instance.closeSync();
    }
  }

  // A step the runner gave up on (a state timeout) may still call in after the
  // run closed the warehouse: refuse it rather than touch a closed database.
  private assertOpen(statement: Statement | undefined): void {
    if (!this.closed) return;
    throw new WarehouseStatementError(`the warehouse is closed${statement?.label ? ` (${statement.label})` : ''}: the run that opened it has ended`, statement?.sql ?? '');
  }

  private async execute(statement: Statement): Promise<void> {
    try {
      const started = performance.now();
      const sql = toDuckDbParams(statement.sql);
      if (this.plans === null || !(await this.plans.run(sql, statement.params))) await this.connection.run(sql, statement.params as never);
      this.observe?.(statement.label ?? 'statement', performance.now() - started);
    } catch (error) {
      throw this.statementError(statement, error);
    }
  }

  private statementError(statement: Statement, error: unknown): WarehouseStatementError {
    const message = error instanceof Error ? error.message : String(error);
    const where = statement.label ? ` (${statement.label})` : '';
    return new WarehouseStatementError(`warehouse statement failed${where}: ${message}`, statement.sql, { cause: error });
  }
}

/**
 * Prepared data statements kept by their text. Planning is about half of a
 * small warehouse's statement (binding and optimizing ~1.4 ms of ~2.8 ms for a
 * data test on the demo's warehouse), and a batch runs the same ~235 texts as
 * the one before. DuckDB re-binds a kept statement by itself when the catalog
 * of a table it reads has changed since (a temporary table created again, say).
 * DDL is never kept: its checks are made once, when it is bound (a kept `drop
 * table if exists` found nothing to drop the next time round and did nothing).
 */
class PlanCache {
  private readonly kept = new Map<string, DuckDBPreparedStatement>();
  private readonly notKept = new Set<string>();

  public constructor(private readonly connection: DuckDBConnection) {}

  /** Runs the statement through its kept plan and tells true, or tells false for a statement that is not kept (the caller runs it). */
  public async run(sql: string, params: Statement['params']): Promise<boolean> {
    if (this.notKept.has(sql)) return false;
    let prepared = this.kept.get(sql);
    if (prepared === undefined) {
      const fresh = await this.connection.prepare(sql);
      if (!KEPT_TYPES.has(fresh.statementType)) {
        fresh.destroySync();
        this.notKept.add(sql);
        return false;
      }
      prepared = fresh;
      this.kept.set(sql, prepared);
    }
    prepared.clearBindings();
    if (params !== undefined) prepared.bind(params as never);
    await prepared.run();
    return true;
  }

  public clear(): void {
    for (const prepared of this.kept.values()) prepared.destroySync();
    this.kept.clear();
  }
}

const KEPT_TYPES: ReadonlySet<StatementType> = new Set([StatementType.SELECT, StatementType.INSERT, StatementType.UPDATE, StatementType.DELETE]);

// The budget releaseMemory() lowers DuckDB's to for a moment: low enough to evict
// every cached page of a warehouse no statement is using.
const RELEASED_MEMORY_LIMIT = '64MB';

// The catalog a file attached for 'checkpoint' durability goes by; every statement runs in it.
const ATTACHED = 'warehouse';

/**
 * DuckDB opens a file with its WAL; a file written without WAL writes is
 * attached to an in-memory instance instead, whose settings are the
 * warehouse's (its spill folder set to where the file's own would be).
 */
async function attachedWithoutWal(file: string, config: Record<string, string>): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:', { ...config, temp_directory: `${file}.tmp` });
  const connection = await instance.connect();
  try {
    await connection.run(`attach ${quotedLiteral(file)} as ${ATTACHED} (recovery_mode no_wal_writes)`);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  connection.closeSync();
  return instance;
}

/** The DuckDB settings that write a database with the given compression. */
function compressionSettings(compression: CompressionMode): Record<string, string> {
  return compression === 'none' ? { force_compression: 'uncompressed' } : {};
}

function traceSql(label: string, ms: number): void {
  process.stderr.write(`    sql ${label.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms\n`);
}
