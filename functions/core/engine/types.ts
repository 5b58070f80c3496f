/**
 * The warehouse engine: the one door every pipeline step goes through. It has
 * two implementations, embedded DuckDB (local) and the Redshift Data API
 * (cloud), so nothing here may assume either: statements are SQL text already
 * rendered for the engine's dialect, values travel as named parameters.
 */

/** Values a named parameter may carry (the Redshift Data API carries strings). */
export type ParamValue = string | number | boolean;

/** One SQL statement and its named parameters (`:name` in the text). */
export interface Statement {
  readonly sql: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** A short label for logs and errors, e.g. the SQL file name. */
  readonly label?: string;
}

/**
 * The most statements one transaction may carry on every engine: the Redshift
 * Data API's BatchExecuteStatement takes 40. A step with more splits them.
 */
export const MAX_TRANSACTION_STATEMENTS = 40;

/** The SQL dialects the pipeline renders for. */
export const WAREHOUSE_DIALECTS = ['duckdb', 'redshift'] as const;
export type WarehouseDialect = (typeof WAREHOUSE_DIALECTS)[number];

/** A row of a small query result, as JSON-safe values. */
export type Row = Record<string, string | number | boolean | null>;

export interface WarehouseEngine {
  readonly dialect: WarehouseDialect;
  /** Runs the statements in order as one transaction: all or nothing. */
  transaction(statements: readonly Statement[]): Promise<void>;
  /**
   * The statement that appends the parquet files under a lake prefix (e.g.
   * `silver/customers/batch_id=2024-01-01`) to a table, columns by name.
   * It is a statement, not an action, so it can join a step's transaction.
   */
  loadParquet(table: string, columns: readonly string[], lakePrefix: string): Statement;
  /** Runs one read-only statement and returns its (small) result. */
  query(statement: Statement): Promise<Row[]>;
  /**
   * Bounds the total time of the calls that follow (epoch ms; null: no bound).
   * Work still running then is cancelled and a WarehouseTimeoutError thrown;
   * nothing new is submitted after it. The Lambda handler sets it from the
   * time its invocation has left, so no statement outlives the function.
   */
  setDeadline?(deadline: number | null): void;
  /**
   * Gives back the memory an engine in this process keeps cached while idle
   * (DuckDB's buffer pool), before other work here needs it; engines whose
   * memory is elsewhere (Redshift, PostgreSQL) have nothing to give back.
   */
  releaseMemory?(): Promise<void>;
  /** Releases the connection. */
  close(): Promise<void>;
}
