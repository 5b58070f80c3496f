import { describe, expect, it } from 'vitest';
import { SECTIONS } from '../functions/report/sections.js';

describe('Report sections: a cell per column, in column order', () => {
  const plain = SECTIONS.filter((s) => s.id !== 'restatements');

  it.each(plain.map((s) => [s.id, s] as const))('%s turns a query row into its columns, percentages worked out', (_id, spec) => {
    // Prepare: a query row whose every value is missing, and one with values
    const empty = { orders: 0 };
    const row = Object.fromEntries(spec.columns.map((c) => [c.name, c.type === 'text' || c.type === 'date' ? 'x' : '7']));

    // Act
    const [fromEmpty] = spec.rows({ rows: [empty], grain: 'month' });
    const [fromRow] = spec.rows({ rows: [row], grain: 'month' });

    // Assess
    expect(Object.keys(fromEmpty ?? {})).toEqual(spec.columns.map((c) => c.name));
    for (const column of spec.columns.filter((c) => c.type === 'integer')) expect(fromRow?.[column.name], column.name).toBe(7);
    for (const column of spec.columns.filter((c) => c.type === 'amount' && !['lifetime_value', 'average_order_value'].includes(c.name))) {
      expect(fromRow?.[column.name], column.name).toBe(7);
    }
  });

  it('reads each column by its type: counts whole, amounts to the cent, text as text', () => {
    // Prepare
    const quarantine = SECTIONS.find((s) => s.id === 'quarantine');

    // Act
    const rows = quarantine?.rows({ rows: [{ load_seq: '3', batch_id: '2026-11-25', table_name: 'orders', files: '2', raw_rows: '200', quarantined_rows: '3' }], grain: 'day' });

    // Assess
    expect(rows).toEqual([{ load_seq: 3, batch_id: '2026-11-25', table_name: 'orders', files: 2, raw_rows: 200, quarantined_rows: 3, quarantine_pct: 1.5 }]);
  });
});
