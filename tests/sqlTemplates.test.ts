import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SqlTemplateError } from '../functions/core/errors.js';
import { readSqlFile, SQL_ROOT } from '../functions/core/sql/files.js';
import { renderSql } from '../functions/core/sql/render.js';
import { expandTemplates, fillTemplate, isSqlTemplate } from '../functions/core/sql/templates.js';

/** Every model file under sql/ that names a template, relative to sql/. */
function templatedModels(dir = SQL_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return templatedModels(full);
    return entry.name.endsWith('.sql') && readFileSync(full, 'utf8').includes('{{ template(') ? [path.relative(SQL_ROOT, full)] : [];
  });
}

describe('SQL templates filled in per source table', () => {
  it('fill in the names and column lists of the contract’s table', () => {
    const text = [
      '{{ $table }} {{ $entity }} {{ $key }} {{ $sk }} {{ $dimension }} {{ $referenced_by }}',
      '{{ $attributes(a) }}',
      '{{ $attribute_nulls }}',
      '{{ $inferred_row_hash }}',
    ].join('\n');
    expect(fillTemplate(text, 'customers').split('\n')).toEqual([
      'customers customer customer_id customer_sk dim_customers orders',
      'a.email, a.first_name, a.last_name, a.city, a.state, a.country, a.segment',
      'null, null, null, null, null, null, null',
      "md5('<null>|<null>|<null>|<null>|<null>|<null>|<null>|false')",
    ]);
    expect(fillTemplate(text, 'products').split('\n')).toEqual([
      'products product product_id product_sk dim_products order_items',
      'a.sku, a.name, a.category, a.brand, a.list_price, a.unit_cost',
      'null, null, null, null, null, null',
      "md5('<null>|<null>|<null>|<null>|<null>|<null>|false')",
    ]);
  });

  it('give composite keys, computed versions and the order a record names', () => {
    const text = '{{ $keys(c) }} | {{ $keys_match(a, b) }} | {{ $withdrawn_columns(c) }} | {{ $version(c) }} | {{ $staged_version(s) }}';
    expect(fillTemplate(text, 'order_items')).toBe(
      'c.order_id, c.line_number | a.order_id = b.order_id and a.line_number = b.line_number | c.order_id, c.line_number | c.updated_at | s.updated_at',
    );
    expect(fillTemplate(text, 'payments')).toBe(
      'c.payment_id | a.payment_id = b.payment_id | c.payment_id, c.order_id | c.version_ts | coalesce(s.updated_at, s.paid_at)',
    );
    expect(fillTemplate('{{ $history_columns(h) }}; {{ $staged_history_columns(s) }}', 'payments')).toBe(
      'h.payment_id, h.order_id, h.payment_method, h.amount, h.paid_at, h.updated_at, h.version_ts; ' +
        's.payment_id, s.order_id, s.payment_method, s.amount, s.paid_at, s.updated_at, coalesce(s.updated_at, s.paid_at)',
    );
    expect(fillTemplate('{{ $withdrawn_columns(c) }}', 'orders')).toBe('c.order_id');
  });

  it('keep an {{ $if }} block only where its flag holds', () => {
    const text = 'a\n{{ $if moves_between_orders }}\nb {{ $table }}\n{{ $end }}\nc';
    expect(fillTemplate(text, 'payments')).toBe('a\nb payments\nc');
    expect(fillTemplate(text, 'shipments')).toBe('a\nb shipments\nc');
    expect(fillTemplate(text, 'orders')).toBe('a\nc');
    expect(fillTemplate(text, 'order_items')).toBe('a\nc');
  });

  it("give the normalizers every contract column's value stages, in contract order", () => {
    expect(fillTemplate('{{ $value_texts(source) }}', 'payments')).toBe(
      [
        '{{ text_of(source.payment_id) }} as payment_id_text',
        '{{ text_of(source.order_id) }} as order_id_text',
        '{{ text_of(source.payment_method) }} as payment_method_text',
        '{{ text_of(source.amount) }} as amount_text',
        '{{ text_of(source.paid_at) }} as paid_at_text',
        '{{ text_of(source.updated_at) }} as updated_at_text',
      ].join(',\n        '),
    );
    // only numbers and timestamps are taken apart
    expect(fillTemplate('{{ $value_parts(texts) }}', 'payments')).toBe(
      [
        '{{ value_parts(payments.amount, texts.amount_text) }}',
        '{{ value_parts(payments.paid_at, texts.paid_at_text) }}',
        '{{ value_parts(payments.updated_at, texts.updated_at_text) }}',
      ].join(',\n        '),
    );
    expect(fillTemplate('{{ $parsed_values(parts) }}', 'customers').split(',\n')[1]?.trim()).toBe(
      '{{ parse_value(customers.updated_at, parts.updated_at_text) }} as updated_at_value',
    );
    // the first problem found is the reject reason: the key before the rest
    expect(fillTemplate('{{ $value_problems(parsed) }}', 'order_items').split(',\n').slice(0, 2).map((line) => line.trim())).toEqual([
      '{{ value_problem(order_items.order_id, parsed.order_id_text, parsed.order_id_value) }}',
      '{{ value_problem(order_items.line_number, parsed.line_number_text, parsed.line_number_value) }}',
    ]);
  });

  it('copy a dimension version into known.* without its personal data', () => {
    expect(fillTemplate('{{ $known_columns(v) }}', 'customers')).toBe(
      'v.customer_sk, v.customer_id, v.city, v.state, v.country, v.segment, v.is_inferred, v.is_deleted, v.valid_from, v.valid_to',
    );
    expect(fillTemplate('{{ $known_columns }}', 'products')).toBe(
      'product_sk, product_id, sku, name, category, brand, list_price, unit_cost, is_inferred, is_deleted, valid_from, valid_to',
    );
    expect(() => fillTemplate('{{ $known_columns }}', 'orders', 'sql/x/_t.sql')).toThrow(/orders is not an SCD2 dimension/);
  });

  it('reject what they cannot fill in, naming the template', () => {
    expect(() => fillTemplate('{{ $nope }}', 'customers', 'sql/x/_t.sql')).toThrow(/sql\/x\/_t\.sql: unknown template parameter '\$nope'/);
    expect(() => fillTemplate('{{ $sk }}', 'orders', 'sql/x/_t.sql')).toThrow(/orders is not an SCD2 dimension/);
    expect(() => fillTemplate('{{ $key }}', 'order_items', 'sql/x/_t.sql')).toThrow(/composite key/);
    expect(() => fillTemplate('{{ $table }}', 'clients', 'sql/x/_t.sql')).toThrow(SqlTemplateError);
    expect(() => fillTemplate('{{ $if nope }}x{{ $end }}', 'customers')).toThrow(/unknown flag/);
    expect(() => expandTemplates('{{ template(dimensions/dim_date.sql, customers) }}', () => '', 'sql/m.sql')).toThrow(/not a template/);
  });

  it('leave no template parameter in any model, and no model unrendered for either warehouse', () => {
    const models = templatedModels();
    expect(models).toContain('dimensions/dim_customers.sql');
    for (const model of models) {
      expect(isSqlTemplate(model), model).toBe(false);
      const sql = readSqlFile(model);
      expect(sql, model).not.toMatch(/\{\{\s*(\$|template\()/);
      // The normalizers run on DuckDB and Spark (the Glue job), the rest on DuckDB and Redshift.
      const dialects = model.startsWith('normalize/') ? (['duckdb', 'spark'] as const) : (['duckdb', 'redshift'] as const);
      for (const dialect of dialects) expect(renderSql(sql, dialect, model), model).not.toContain('{{');
    }
  });

  it('spell the SCD2 sentinels once, from the contract', () => {
    expect(renderSql('{{ low_sentinel }} {{ high_sentinel }}', 'redshift')).toBe(
      "cast('1900-01-01 00:00:00' as timestamp) cast('9999-12-31 00:00:00' as timestamp)",
    );
    // no SQL file spells them out
    const spelled = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return spelled(full);
        return entry.name.endsWith('.sql') && /cast\('(1900-01-01|9999-12-31) 00:00:00' as timestamp\)|'<null>'/.test(readFileSync(full, 'utf8')) ? [path.relative(SQL_ROOT, full)] : [];
      });
    expect(spelled(SQL_ROOT)).toEqual([]);
  });
});
