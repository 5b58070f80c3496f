import type { Statement, WarehouseEngine } from '../engine/types.js';
import { PipelineBusyError } from '../errors.js';
import { portableSqlStatement, sqlStatement, sqlStatements } from '../sql/files.js';

/** The lease table's DDL (idempotent). */
export const LEASE_DDL_FILE = 'ddl/00_pipeline_lease.sql';

/**
 * How long a lease lives without its execution releasing it: the state
 * machine's own TimeoutSeconds (6 h, after which Step Functions has ended the
 * execution whatever it was doing) plus 15 minutes. An execution that ends
 * normally, or through RecordFailure, releases its lease at once; only one
 * stopped by hand, timed out or whose RecordFailure failed leaves it behind.
 */
export const LEASE_TTL_SECONDS = 6 * 3600 + 15 * 60;

/**
 * Takes (or renews) the warehouse's pipeline lease for `holder`, the Step
 * Functions execution id, or throws PipelineBusyError naming the execution
 * that holds it. On Redshift the lease table is locked for the transaction,
 * so two executions starting at once are serialized and exactly one wins. The
 * local DuckDB warehouse is a file one process holds exclusively, so a lease
 * found there was left by a process that is gone: it is taken over.
 */
export async function acquireLease(engine: WarehouseEngine, holder: string, ttlSeconds = LEASE_TTL_SECONDS): Promise<void> {
  // The lease comes before the bootstrap, so its table may not exist yet.
  await engine.transaction(sqlStatements(LEASE_DDL_FILE, engine.dialect));
  const params = { holder, ttl_seconds: ttlSeconds };
  const statements: Statement[] = [
    ...(engine.dialect === 'redshift' ? sqlStatements('steps/lease/lock.sql', engine.dialect) : []),
    // One process holds a DuckDB warehouse file: a lease found there is taken over.
    ...sqlStatements(engine.dialect === 'duckdb' ? 'steps/lease/take_over.sql' : 'steps/lease/take.sql', engine.dialect, params),
  ];
  await engine.transaction(statements);
  const [lease] = await engine.query(sqlStatement('steps/lease/holder.sql', engine.dialect));
  if (lease?.holder !== holder) {
    throw new PipelineBusyError(
      `another execution is running the pipeline: ${String(lease?.holder)} holds the warehouse lease since ${String(lease?.acquired_at)} UTC ` +
        `(it expires ${Number(lease?.ttl_seconds)} s after that if never released); this execution stopped before touching the warehouse. ` +
        `If that execution is known to be gone, delete its row from audit.pipeline_lease.`,
    );
  }
}

/** The statement that releases `holder`'s lease (a no-op when another execution holds it), to join a step's transaction. */
export function releaseLeaseStatement(holder: string): Statement {
  return portableSqlStatement('steps/lease/release.sql', { holder });
}
