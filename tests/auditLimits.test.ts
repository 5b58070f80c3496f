import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfflinePostgres } from '../offline/postgres/embeddedPostgres.js';
import fc from 'fast-check';
import { AUDIT_LIMITS, countsJsonWithinBytes, cutToBytes, joinWithinBytes, utf8Bytes } from '../functions/core/auditLimits.js';
import { readSqlFile } from '../functions/core/sql/files.js';
import { snsSubject } from '../functions/core/steps/recordFailure.js';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import type { WarehouseEngine } from '../functions/core/engine/types.js';
import type { Lake } from '../functions/core/lake/lake.js';
import { LocalLake } from '../functions/core/lake/localLake.js';
import type { StepContext } from '../functions/core/steps/context.js';
import { discoverBatch } from '../functions/core/steps/discoverBatch.js';
import { loadStaging } from '../functions/core/steps/loadStaging.js';
import { normalizeTable } from '../functions/core/steps/normalizeTable.js';
import { recordFailure } from '../functions/core/steps/recordFailure.js';
import { validateBatch } from '../functions/core/steps/validateBatch.js';
import { offlineWarehouse, startPostgres } from './helpers/offlineWarehouse.js';
import { tempDir, writeRaw } from './helpers/tempLake.js';
import { TEST_CONFIG } from './helpers/testConfig.js';

const config = TEST_CONFIG;

/** A batch id as long as the contract allows (64). */
const LONG_BATCH = `2024-01-01_${'x'.repeat(53)}`;
/** Extra columns whose names fit 1,024 characters but not 1,024 bytes (Cyrillic: 2 bytes a character). */
const EXTRA_COLUMNS = Array.from({ length: 30 }, (_, i) => `доп_колонка_номер_${String(i).padStart(2, '0')}`);
/** A multi-byte text of 3,000 characters, 9,000 bytes. */
const EURO_CAUSE = '€'.repeat(3_000);

/**
 * The audit columns hold text the pipeline builds from input (extra column
 * names, reject reasons, sample keys, error messages); Redshift counts their
 * varchar limits in bytes. Run on PostgreSQL with byte-checked limits (the
 * Redshift SQL) and on DuckDB (which ignores limits): both must store values
 * cut to the limit in bytes, and never fail the insert.
 */
describe.each(['postgres', 'duckdb'] as const)('Audit columns within their byte limits on %s', (kind) => {
  let server: OfflinePostgres | undefined;
  let engine: WarehouseEngine;
  let lake: LocalLake;
  let cleanup: () => void;
  const octets = (column: string): string => (kind === 'postgres' ? `octet_length(${column})` : `strlen(${column})`);

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir('ecomdw-limits-'));
    const lakeDir = path.join(dir, 'lake');
    writeRaw(lakeDir, 'customers', LONG_BATCH, 'a.csv', `customer_id,updated_at,${EXTRA_COLUMNS.join(',')}\nc-1,2024-01-01T00:00:00Z${',v'.repeat(EXTRA_COLUMNS.length)}\n`);
    lake = new LocalLake(lakeDir);
    if (kind === 'postgres') {
      server = await startPostgres();
      ({ engine } = await offlineWarehouse(server, lakeDir));
    } else {
      engine = await DuckDbEngine.open({ path: path.join(dir, 'w.duckdb'), lakeRoot: lakeDir });
    }
  });

  afterAll(async () => {
    await engine?.close();
    await server?.stop();
    cleanup?.();
  });

  const context = (): StepContext => ({ engine, lake, config });

  it('records a run of a 64-character batch id in the ledger (run ids fit varchar(64))', async () => {
    // Act
    const found = await discoverBatch(context(), { request: {} });
    const ledger = await engine.query({ sql: `select batch_id, run_id, status from audit.batches` });

    // Assess
    expect(found.batchId).toBe(LONG_BATCH);
    expect(found.runId?.length).toBeLessThanOrEqual(64);
    expect(ledger).toEqual([{ batch_id: LONG_BATCH, run_id: found.runId, status: 'running' }]);
  });

  it('cuts extra_columns and reject_reasons to their byte limits when loading staging', async () => {
    // Prepare
    const manifest = await normalizeTable(lake, { table: 'customers', batchId: LONG_BATCH });
    const reasons = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`${i}: ${'€'.repeat(20)} is not a valid value`, 1]));
    const withReasons: Lake = { ...lake, location: lake.location, listRawBatches: () => lake.listRawBatches(), listRawFiles: (t, b) => lake.listRawFiles(t, b), listRawObjects: () => lake.listRawObjects(), hashObject: (p) => lake.hashObject(p), readManifest: async () => ({ ...manifest, rejectReasons: reasons }) };
    const [run] = await engine.query({ sql: `select run_id from audit.batches` });

    // Act
    await loadStaging({ engine, lake: withReasons, config }, { batchId: LONG_BATCH, runId: String(run?.run_id), tables: ['customers'] });
    const [load] = await engine.query({
      sql: `select ${octets('extra_columns')} as extra_bytes, ${octets('reject_reasons')} as reason_bytes, extra_columns from audit.table_loads`,
    });

    // Assess
    expect(manifest.files[0]?.extraColumns).toHaveLength(EXTRA_COLUMNS.length);
    expect(Number(load?.extra_bytes)).toBeLessThanOrEqual(1024);
    expect(Number(load?.extra_bytes)).toBeGreaterThan(900);
    expect(String(load?.extra_columns)).toMatch(/^доп_колонка_номер_00,/);
    expect(Number(load?.reason_bytes)).toBeLessThanOrEqual(4096);
    expect(Number(load?.reason_bytes)).toBeGreaterThan(3500);
  });

  it('cuts the sample keys of a failing test to 1,024 bytes', async () => {
    // Prepare: six duplicated payments whose ids are 240 bytes each.
    const [run] = await engine.query({ sql: `select run_id from audit.batches` });
    const ids = Array.from({ length: 6 }, (_, i) => `${'€'.repeat(80)}${i}`);
    await engine.transaction([
      { sql: `insert into history.batch_affected_orders (batch_id, order_id) values (:batch_id, 'o-1')`, params: { batch_id: LONG_BATCH } },
      ...ids.flatMap((id) =>
        [1, 2].map(() => ({
          sql: `insert into dw.fact_payments (payment_id, order_id, paid_at, payment_date_key, payment_method_key, customer_sk, amount, batch_id)
                values (:id, 'o-1', cast('2024-01-01 00:00:00' as timestamp), 20240101, 0, 0, 1, 'b')`,
          params: { id },
        })),
      ),
    ]);

    // Act
    const error = await validateBatch(context(), { batchId: LONG_BATCH, runId: String(run?.run_id), tables: [] }).catch((e: unknown) => e as Error);
    const [result] = await engine.query({
      sql: `select failing_rows, ${octets('sample_keys')} as sample_bytes from audit.test_results where test_name = 'fact_payments.unique'`,
    });

    // Assess
    expect((error as Error).name).toBe('DataQualityError');
    expect(Number(result?.failing_rows)).toBe(6);
    expect(Number(result?.sample_bytes)).toBeLessThanOrEqual(1024);
    expect(Number(result?.sample_bytes)).toBeGreaterThan(700);
  });

  it('records a multi-byte failure message cut to its byte limit in the ledger and the alerts', async () => {
    // Prepare
    const [run] = await engine.query({ sql: `select run_id from audit.batches` });

    // Act
    const alert = await recordFailure(context(), {
      batch: { batchId: LONG_BATCH, runId: String(run?.run_id) },
      error: { Error: 'WarehouseStatementError', Cause: JSON.stringify({ errorMessage: EURO_CAUSE }) },
    });
    const [ledger] = await engine.query({ sql: `select status, ${octets('error')} as error_bytes from audit.batches` });
    const alerts = await engine.query({ sql: `select ${octets('message')} as message_bytes from audit.alerts` });

    // Assess
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(4096);
    expect(ledger).toMatchObject({ status: 'failed' });
    expect(Number(ledger?.error_bytes)).toBeGreaterThan(4000);
    expect(Number(ledger?.error_bytes)).toBeLessThanOrEqual(4096);
    expect(alerts).toHaveLength(1);
    expect(Number(alerts[0]?.message_bytes)).toBeLessThanOrEqual(4096);
  });
});

describe('Cutting audit text to a byte limit', () => {
  it('uses the limits the audit DDL declares', () => {
    // Prepare
    const ddl = readSqlFile('ddl/02_audit.sql');
    const limit = (table: string, column: string): number => {
      const body = new RegExp(`create table if not exists audit\\.${table} \\(([\\s\\S]*?)\\) \\{\\{`).exec(ddl)?.[1] ?? '';
      return Number(new RegExp(`\\b${column} varchar\\((\\d+)\\)`).exec(body)?.[1]);
    };

    // Assess
    expect(AUDIT_LIMITS).toEqual({
      extraColumns: limit('table_loads', 'extra_columns'),
      rejectReasons: limit('table_loads', 'reject_reasons'),
      sampleKeys: limit('test_results', 'sample_keys'),
      alertMessage: limit('alerts', 'message'),
      alertErrorName: limit('alerts', 'error_name'),
      batchError: limit('batches', 'error'),
    });
  });

  it('keeps whole characters, marks the cut and never exceeds the limit (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 4, max: 200 }), (text, limit) => {
        const cut = cutToBytes(text, limit);
        expect(utf8Bytes(cut)).toBeLessThanOrEqual(limit);
        if (utf8Bytes(text) <= limit) expect(cut).toBe(text);
        else expect(text.startsWith(cut.slice(0, -3)) && cut.endsWith('...')).toBe(true);
      }),
      { seed: 20261129, numRuns: 200 },
    );
  });

  it('drops whole list items and whole JSON entries, saying how many', () => {
    // Act
    const list = joinWithinBytes(['ééé', 'bbbbbb', 'cccccc', 'dddddd'], ',', 20);
    const json = countsJsonWithinBytes({ 'a rare one': 1, 'the usual €': 40, 'another €': 3 }, 40);

    // Assess
    expect(list).toBe('ééé,...(+3)');
    expect(utf8Bytes(json)).toBeLessThanOrEqual(40);
    expect(JSON.parse(json)).toEqual({ 'the usual €': 40, '(2 more)': 4 });
  });

  it('makes an SNS subject: printable ASCII on one line, under 100 characters', () => {
    // Act
    const subject = snsSubject(`ecomdw prod: batch 2024-01-01 failed (Über\nError${'X'.repeat(200)})`);

    // Assess
    expect(subject).toMatch(/^[\x20-\x7e]{1,99}$/);
    expect(subject.startsWith('ecomdw prod: batch 2024-01-01 failed (?ber Error')).toBe(true);
  });
});
