import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../functions/core/engine/duckdbEngine.js';
import type { Statement } from '../functions/core/engine/types.js';

// The demo's engine keeps its data statements' plans (reusePlans): a batch runs
// the same texts as the one before, between which its steps drop and create
// their temporary tables again.
describe('A DuckDB engine that reuses plans (the demo’s)', () => {
  let engine: DuckDbEngine;
  let plain: DuckDbEngine;

  beforeEach(async () => {
    engine = await DuckDbEngine.open({ path: ':memory:', lakeRoot: '.', reusePlans: true });
    plain = await DuckDbEngine.open({ path: ':memory:', lakeRoot: '.' });
  });
  afterEach(async () => {
    await engine.close();
    await plain.close();
  });

  /** One "batch": a temporary table made again from the batch's rows, then data statements reading it. */
  const batch = (batchId: string, type: string): Statement[] => [
    { sql: 'drop table if exists tmp_rows' },
    { sql: `create temp table tmp_rows as select cast(range as ${type}) as n, :batch_id as batch_id from range(3)`, params: { batch_id: batchId } },
    { sql: 'insert into seen select batch_id, cast(n as varchar) from tmp_rows where batch_id = :batch_id', params: { batch_id: batchId } },
    // '1' as text: the decimal batch keeps its '1.00'
    { sql: `delete from seen where batch_id = :batch_id and value = '1'`, params: { batch_id: batchId } },
  ];

  async function runBatches(on: DuckDbEngine): Promise<unknown[]> {
    await on.transaction([{ sql: 'create table seen (batch_id varchar, value varchar)' }]);
    await on.transaction(batch('b1', 'integer'));
    // The same texts again: the temporary table is dropped and created with another column type.
    await on.transaction(batch('b2', 'decimal(10,2)'));
    await on.transaction(batch('b3', 'varchar'));
    return on.query({ sql: 'select batch_id, value from seen order by all' });
  }

  it('reads the temporary table as created again by each batch, with each batch’s parameters, as an engine that plans every time does', async () => {
    // Act
    const reused = await runBatches(engine);
    const planned = await runBatches(plain);

    // Assess
    expect(reused).toEqual([
      { batch_id: 'b1', value: '0' },
      { batch_id: 'b1', value: '2' },
      { batch_id: 'b2', value: '0.00' },
      { batch_id: 'b2', value: '1.00' },
      { batch_id: 'b2', value: '2.00' },
      { batch_id: 'b3', value: '0' },
      { batch_id: 'b3', value: '2' },
    ]);
    expect(reused).toEqual(planned);
  });

  it('keeps no DDL: `drop table if exists` drops the table that exists when it runs again', async () => {
    // Prepare
    const again: Statement[] = [{ sql: 'drop table if exists tmp_once' }, { sql: 'create temp table tmp_once as select 1 as n' }];
    await engine.transaction(again);

    // Act
    const secondTime = engine.transaction(again);

    // Assess
    await expect(secondTime).resolves.toBeUndefined();
  });

  it('fails a statement whose table is gone, with the statement named', async () => {
    // Prepare
    const read: Statement = { label: 'reads tmp_gone', sql: 'insert into sink select n from tmp_gone where n > :min', params: { min: 0 } };
    await engine.transaction([{ sql: 'create table sink (n integer)' }, { sql: 'create temp table tmp_gone as select 1 as n' }, read]);
    await engine.transaction([{ sql: 'drop table tmp_gone' }]);

    // Act
    const rerun = engine.transaction([read]);

    // Assess
    await expect(rerun).rejects.toThrow(/reads tmp_gone.*tmp_gone/s);
  });
});
