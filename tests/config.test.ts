import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DB, DEFAULT_LAKE, DEFAULT_MEMORY_LIMIT, DEFAULT_SQL_ROOT, resolveConfig } from '../functions/core/config.js';
import { ConfigError } from '../functions/core/errors.js';
import { sqlRoot, useSqlRoot } from '../functions/core/sql/files.js';
import { runEcomdw, type CliOutcome } from './helpers/cli.js';
import { tempDir, writeRaw } from './helpers/tempLake.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => {
  useSqlRoot(DEFAULT_SQL_ROOT);
  cleanup();
});

describe('resolveConfig', () => {
  it('takes each setting from its flag, then its environment variable, then its default', () => {
    // Arrange
    const env = { ECOMDW_LAKE: '/env/lake', ECOMDW_DB: '/env/w.duckdb', ECOMDW_MEMORY_LIMIT: '6GB', ECOMDW_COMPRESSION: 'auto' };
    // Act
    const flagged = resolveConfig({ flags: { lake: '/flag/lake', db: '/flag/w.duckdb', memoryLimit: '1GB', compression: 'none' }, env });
    const fromEnv = resolveConfig({ flags: {}, env });
    const defaults = resolveConfig({ env: {} });
    // Assess
    expect([flagged.lake, flagged.db, flagged.memoryLimit]).toEqual(['/flag/lake', '/flag/w.duckdb', '1GB']);
    expect([fromEnv.lake, fromEnv.db, fromEnv.memoryLimit]).toEqual(['/env/lake', '/env/w.duckdb', '6GB']);
    expect([defaults.lake, defaults.db, defaults.memoryLimit]).toEqual([path.resolve(DEFAULT_LAKE), path.resolve(DEFAULT_DB), DEFAULT_MEMORY_LIMIT]);
    expect([flagged.compression, fromEnv.compression, defaults.compression]).toEqual(['none', 'auto', 'none']);
    expect(defaults).toMatchObject({ environment: 'local', json: false, traceSql: false, sqlRoot: DEFAULT_SQL_ROOT });
    expect(defaults.freshness.orders).toEqual({ warnAfterHours: 48, errorAfterHours: null });
  });

  it('reads the settings that have no flag from the environment', () => {
    // Act
    const config = resolveConfig({
      env: {
        ECOMDW_ENVIRONMENT: 'prod',
        ECOMDW_FRESHNESS: '{"orders":{"warnAfterHours":6,"errorAfterHours":24}}',
        ECOMDW_SQL_ROOT: '/var/task/sql',
        ECOMDW_TRACE_SQL: '1',
      },
    });
    // Assess
    expect(config).toMatchObject({ environment: 'prod', sqlRoot: '/var/task/sql', traceSql: true });
    expect(config.freshness.orders).toEqual({ warnAfterHours: 6, errorAfterHours: 24 });
  });

  it('counts an empty environment variable as not set', () => {
    expect(resolveConfig({ env: { ECOMDW_LAKE: '', ECOMDW_MEMORY_LIMIT: ' ', ECOMDW_TRACE_SQL: '' } })).toMatchObject({
      lake: path.resolve(DEFAULT_LAKE),
      memoryLimit: DEFAULT_MEMORY_LIMIT,
      traceSql: false,
    });
  });

  it.each([
    [{ env: { ECOMDW_MEMORY_LIMIT: 'plenty' } }, "ECOMDW_MEMORY_LIMIT must be a size such as 512MB, 3GB or 2.5GiB, got 'plenty'"],
    [{ flags: { memoryLimit: '3 apples' }, env: { ECOMDW_MEMORY_LIMIT: '6GB' } }, "--memory-limit must be a size such as 512MB, 3GB or 2.5GiB, got '3 apples'"],
    [{ env: { ECOMDW_TRACE_SQL: 'yes' } }, "ECOMDW_TRACE_SQL must be 1 or 0, got 'yes'"],
    [{ env: { ECOMDW_COMPRESSION: 'zstd' } }, "ECOMDW_COMPRESSION must be auto or none, got 'zstd'"],
    [{ flags: { compression: 'small' }, env: {} }, "--compression must be auto or none, got 'small'"],
    [{ env: { ECOMDW_ENVIRONMENT: 'my stack' } }, "ECOMDW_ENVIRONMENT must be a deployment name (letters, digits, . _ -), got 'my stack'"],
    [{ flags: { lake: ' ' }, env: {} }, "--lake must not be empty, got ' '"],
    [{ env: { ECOMDW_FRESHNESS: '{"orders":' } }, /^ECOMDW_FRESHNESS is not valid JSON/],
  ])('refuses a bad value with a ConfigError naming its flag or variable: %j', (input, message) => {
    // Act
    const act = () => resolveConfig(input);
    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });
});

describe('The configuration at the CLI edge', () => {
  it('gives --lake precedence over ECOMDW_LAKE, which beats the default', async () => {
    // Arrange: two lakes, each with a batch of its own
    const flagLake = path.join(dir, 'flag-lake');
    const envLake = path.join(dir, 'env-lake');
    const header = 'customer_id,email,first_name,last_name,city,state,country,segment,updated_at\n';
    writeRaw(flagLake, 'customers', '2024-01-01', 'part-0.csv', `${header}C1,a@x,A,B,C,S,BR,retail,2024-01-01T00:00:00Z\n`);
    writeRaw(envLake, 'customers', '2024-02-01', 'part-0.csv', `${header}C2,b@x,A,B,C,S,BR,retail,2024-02-01T00:00:00Z\n`);
    const env = { ECOMDW_LAKE: envLake, ECOMDW_DB: path.join(dir, 'w.duckdb') };
    // Act
    const flagged = await runWith(['run', '--lake', flagLake, '--json'], env);
    const fromEnv = await runWith(['run', '--json', '--db', path.join(dir, 'other.duckdb')], env);
    // Assess
    expect(flagged.code).toBe(0);
    expect(JSON.parse(flagged.stdout).batches.map((b: { batchId: string }) => b.batchId)).toEqual(['2024-01-01']);
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout).batches.map((b: { batchId: string }) => b.batchId)).toEqual(['2024-02-01']);
  });

  it('exits 2 naming the variable when an environment value is bad, before any work', async () => {
    // Act
    const outcome = await runWith(['run', '--lake', path.join(dir, 'nope'), '--db', path.join(dir, 'w.duckdb')], { ECOMDW_TRACE_SQL: 'yes' });
    // Assess
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.trim()).toBe("ecomdw: ECOMDW_TRACE_SQL must be 1 or 0, got 'yes'");
  });

  it('reads SQL from ECOMDW_SQL_ROOT', async () => {
    // Arrange: a folder of SQL with one model the repository does not have
    const root = path.join(dir, 'sql');
    mkdirSync(path.join(root, 'probe'), { recursive: true });
    writeFileSync(path.join(root, 'probe', 'only_here.sql'), 'select 42 as answer\n');
    // Act
    const outcome = await runWith(['sql', '--render', 'probe/only_here'], { ECOMDW_SQL_ROOT: root });
    // Assess
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toBe('select 42 as answer\n');
    expect(sqlRoot()).toBe(root);
  });

  it('prints each warehouse statement\'s time with ECOMDW_TRACE_SQL=1, and none without', async () => {
    // Arrange
    const lake = path.join(dir, 'lake');
    writeRaw(lake, 'customers', '2024-01-01', 'part-0.csv', 'customer_id,email,first_name,last_name,city,state,country,segment,updated_at\nC1,a@x,A,B,C,S,BR,retail,2024-01-01T00:00:00Z\n');
    // Act
    const traced = await runWith(['run', '--lake', lake, '--db', path.join(dir, 'traced.duckdb')], { ECOMDW_TRACE_SQL: '1' });
    const quiet = await runWith(['run', '--lake', lake, '--db', path.join(dir, 'quiet.duckdb')], {});
    // Assess
    const traceLines = (stderr: string) => stderr.split('\n').filter((line) => /^ {4}sql \S.* +\d+ ms$/.test(line));
    expect([traced.code, quiet.code]).toEqual([0, 0]);
    expect(traceLines(traced.stderr).length).toBeGreaterThan(50);
    expect(traceLines(traced.stderr)).toContainEqual(expect.stringMatching(/^ {4}sql commit /));
    expect(traceLines(quiet.stderr)).toEqual([]);
  });
});

/** `ecomdw <args>` with exactly this environment. */
function runWith(args: readonly string[], env: Record<string, string>): Promise<CliOutcome> {
  return runEcomdw(args, env);
}
