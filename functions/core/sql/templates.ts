/**
 * SQL written once per shape, filled in per source table from the contract
 * (dbt's macro and generic-test idea). A template is a file under sql/ whose
 * name starts with `_`; a model file names its template and table:
 *
 *     {{ template(dimensions/_scd2_dimension.sql, customers) }}
 *
 * and reading the model file (readSqlFile) gives the filled-in SQL, which
 * still carries the dialect macros (render.ts) that every engine fills in.
 * Inside a template:
 * - `{{ $name }}` and `{{ $name(alias) }}` are the table's names and column
 *   lists (PARAMETERS below), e.g. `{{ $key }}` → `customer_id`,
 *   `{{ $attributes(anchor) }}` → `anchor.email, anchor.first_name, …`;
 * - `{{ $if flag }}` … `{{ $end }}` keeps its lines only for the tables
 *   where the flag holds (no nesting).
 */
import { CONTRACT, isSourceTable, type SourceTable, type TableSpec } from '../contract.js';
import { SqlTemplateError } from '../errors.js';
import { HASH_NULL } from './dialects.js';
import { hasValueParts } from './valueRules.js';

/** The source table that references each SCD2 dimension's natural key (a reference to an unseen key makes an inferred member). */
const SCD2_REFERENCED_BY: Partial<Record<SourceTable, SourceTable>> = { customers: 'orders', products: 'order_items' };

/**
 * Tables whose records are versioned by something other than `updated_at`:
 * the stored column and what it is computed from (the first non-NULL).
 */
const VERSION_COLUMNS: Partial<Record<SourceTable, { column: string; from: readonly string[] }>> = {
  payments: { column: 'version_ts', from: ['updated_at', 'paid_at'] },
};

/** Personal data a dimension keeps in dw but never copies into the reporting layer (known.*). */
const PERSONAL_DATA: Partial<Record<SourceTable, readonly string[]>> = { customers: ['email', 'first_name', 'last_name'] };

/** Columns of a dimension row that are not attributes: the natural key and the SCD2 bookkeeping the source sends. */
const NOT_ATTRIBUTES = new Set(['updated_at', 'is_deleted']);

type Parameter = (...args: string[]) => string;

/** Items of a select list, one per line, indented as the CTEs of sql/normalize/_contract_values.sql hold them. */
const selectItems = (items: readonly string[], indent = 8): string => items.join(`,\n${' '.repeat(indent)}`);

const prefixed = (alias: string | undefined, columns: readonly string[]): string[] =>
  columns.map((c) => (alias === undefined || alias === '' ? c : `${alias}.${c}`));

function singleKey(spec: TableSpec): string {
  const [key, ...rest] = spec.key;
  if (key === undefined || rest.length > 0) throw new SqlTemplateError(`table ${spec.name} has a composite key; use $keys`);
  return key;
}

function attributesOf(spec: TableSpec): string[] {
  return spec.columns.map((c) => c.name).filter((name) => !spec.key.includes(name) && !NOT_ATTRIBUTES.has(name));
}

/** The table referencing an SCD2 dimension's key; throws for a table that is no SCD2 dimension. */
function referencingTable(spec: TableSpec): SourceTable {
  const referencedBy = SCD2_REFERENCED_BY[spec.name];
  if (referencedBy === undefined) throw new SqlTemplateError(`table ${spec.name} is not an SCD2 dimension`);
  return referencedBy;
}

/** `name` where `spec` is an SCD2 dimension; throws otherwise. */
function scd2Name(spec: TableSpec, name: string): string {
  referencingTable(spec);
  return name;
}

/** The template parameters of one source table. */
function parametersOf(spec: TableSpec): Readonly<Record<string, Parameter>> {
  const version = VERSION_COLUMNS[spec.name];
  const columns = spec.columns.map((c) => c.name);
  const historyColumns = version === undefined ? columns : [...columns, version.column];
  const withdrawnColumns = spec.key.includes('order_id') || !columns.includes('order_id') ? [...spec.key] : [...spec.key, 'order_id'];
  const entity = spec.name.replace(/s$/, '');
  return {
    /** `customers` */
    table: () => spec.name,
    /** `customer` */
    entity: () => entity,
    /** The natural key column of a one-column key: `customer_id`. */
    key: () => singleKey(spec),
    /** The key columns: `alias.order_id, alias.line_number`. */
    keys: (alias) => prefixed(alias, spec.key).join(', '),
    /** The key columns of two aliases equal: `a.order_id = b.order_id and a.line_number = b.line_number`. */
    keys_match: (a, b) => spec.key.map((k) => `${a}.${k} = ${b}.${k}`).join(' and '),
    /** The key columns, and the order a record belongs to when that is not part of its key. */
    withdrawn_columns: (alias) => prefixed(alias, withdrawnColumns).join(', '),
    /** The columns of history.<table> and history.<entity>_changes besides row_hash and batch_id: the contract's, then the version column when it is computed. */
    history_columns: (alias) => prefixed(alias, historyColumns).join(', '),
    /** The stored version (event time) of a history record. */
    version: (alias) => prefixed(alias, [version?.column ?? 'updated_at'])[0] as string,
    /** The version (event time) of a staged record, computed as history stores it. */
    staged_version: (alias) =>
      version === undefined ? `${alias}.updated_at` : `coalesce(${prefixed(alias, version.from).join(', ')})`,
    /** history_columns without the key columns. */
    non_key_columns: (alias) => prefixed(alias, historyColumns.filter((c) => !spec.key.includes(c))).join(', '),
    /** history_columns of a staged record: the version column, where there is one, computed as history stores it. */
    staged_history_columns: (alias) =>
      [...prefixed(alias, columns), ...(version === undefined ? [] : [`coalesce(${prefixed(alias, version.from).join(', ')})`])].join(', '),
    /** SCD2 dimensions: `customer_sk`. */
    sk: () => scd2Name(spec, `${entity}_sk`),
    /** SCD2 dimensions: `dim_customers`. */
    dimension: () => scd2Name(spec, `dim_${spec.name}`),
    /** SCD2 dimensions: the source table whose rows reference the natural key (`orders`). */
    referenced_by: () => referencingTable(spec),
    /** SCD2 dimensions: the attribute columns, `alias.email, alias.first_name, …`. */
    attributes: (alias) => prefixed(alias, attributesOf(spec)).join(', '),
    /** SCD2 dimensions: the columns of a version in known.<table>: surrogate and natural key, the attributes but personal data, the flags and validity. */
    known_columns: (alias) =>
      prefixed(alias, [
        scd2Name(spec, `${entity}_sk`),
        singleKey(spec),
        ...attributesOf(spec).filter((a) => !(PERSONAL_DATA[spec.name] ?? []).includes(a)),
        'is_inferred',
        'is_deleted',
        'valid_from',
        'valid_to',
      ]).join(', '),
    /** SCD2 dimensions: one NULL per attribute (an inferred member's attributes). */
    attribute_nulls: () => attributesOf(spec).map(() => 'null').join(', '),
    /** SCD2 dimensions: a version's row_hash, over its attributes (NULL spelled as HASH_NULL) and is_deleted. */
    row_hash: (alias) =>
      `md5(\n${[
        ...attributesOf(spec).map((a) => `coalesce(cast(${alias}.${a} as varchar), '${HASH_NULL}')`),
        `case when ${alias}.is_deleted then 'true' else 'false' end`,
      ]
        .map((term, i) => `            ${i === 0 ? '' : "|| '|' || "}${term}`)
        .join('\n')}\n        )`,
    /** SCD2 dimensions: the row_hash of an inferred member (every attribute NULL, not deleted). */
    inferred_row_hash: () => `md5('${[...attributesOf(spec).map(() => HASH_NULL), 'false'].join('|')}')`,
    /** Normalizers: each column's raw value trimmed (the value macro text_of), `c_text`, in contract order. */
    value_texts: (alias) => selectItems(columns.map((c) => `{{ text_of(${alias}.${c}) }} as ${c}_text`)),
    /** Normalizers: the parts of each number and timestamp text (value_parts). */
    value_parts: (alias) => {
      const withParts = spec.columns.filter(hasValueParts).map((c) => c.name);
      if (withParts.length === 0) throw new Error('it has no number or timestamp column to take apart');
      return selectItems(withParts.map((c) => `{{ value_parts(${spec.name}.${c}, ${alias}.${c}_text) }}`));
    },
    /** Normalizers: each text typed by its column's kind (parse_value), `c_value`. */
    parsed_values: (alias) => selectItems(columns.map((c) => `{{ parse_value(${spec.name}.${c}, ${alias}.${c}_text) }} as ${c}_value`)),
    /** Normalizers: each column's problem (value_problem), in contract order: the first one found is the reject reason. */
    value_problems: (alias) =>
      selectItems(
        columns.map((c) => `{{ value_problem(${spec.name}.${c}, ${alias}.${c}_text, ${alias}.${c}_value) }}`),
        12,
      ),
  };
}

/** Which tables a flag of `{{ $if flag }}` holds for. */
const FLAGS: Readonly<Record<string, (spec: TableSpec) => boolean>> = {
  /** A record names an order outside its key, so a newer record may move it to another order. */
  moves_between_orders: (spec) => !spec.key.includes('order_id') && spec.columns.some((c) => c.name === 'order_id'),
};

const TEMPLATE_CALL = /\{\{\s*template\(\s*([A-Za-z0-9_./-]+)\s*,\s*([a-z_]+)\s*\)\s*\}\}/g;
const CONDITIONAL = /\{\{\s*\$if\s+([a-z_]+)\s*\}\}\n?([\s\S]*?)\{\{\s*\$end\s*\}\}\n?/g;
const PARAMETER = /\{\{\s*\$([a-z_]+)\s*(?:\(([^{}]*)\))?\s*\}\}/g;

/** True for a template file (its name starts with `_`): it runs only as filled in by a model file. */
export function isSqlTemplate(relativePath: string): boolean {
  return /(^|\/)_[^/]*\.sql$/.test(relativePath);
}

/** Fills one template's text in for a source table. */
export function fillTemplate(text: string, table: string, source = 'sql template'): string {
  if (!isSourceTable(table)) throw new SqlTemplateError(`${source}: '${table}' is not a source table of the contract`);
  const spec = CONTRACT[table];
  const parameters = parametersOf(spec);
  const kept = text.replace(CONDITIONAL, (_match, flag: string, body: string) => {
    const holds = FLAGS[flag];
    if (!holds) throw new SqlTemplateError(`${source}: unknown flag '$if ${flag}'`);
    return holds(spec) ? body : '';
  });
  const fillOnce = (text: string): string =>
    text.replace(PARAMETER, (_match, name: string, args: string | undefined) => {
      const parameter = parameters[name];
      if (!parameter) throw new SqlTemplateError(`${source}: unknown template parameter '$${name}'`);
      try {
        return parameter(...(args === undefined || args.trim() === '' ? [] : args.split(',').map((a) => a.trim())));
      } catch (error) {
        throw new SqlTemplateError(`${source}: $${name} for ${table}: ${(error as Error).message}`, { cause: error });
      }
    });
  // nested calls, e.g. {{ $version(history.{{ $table }}) }}, fill in inside out
  let filled = kept;
  for (let pass = 0; pass < 3; pass++) filled = fillOnce(filled);
  if (/\{\{\s*\$/.test(filled)) throw new SqlTemplateError(`${source}: a template parameter is left unfilled for ${table}`);
  return filled;
}

/** The templates a model file's text names (`{{ template(path, table) }}`), as paths under sql/. */
export function templatesNamedBy(text: string): string[] {
  return [...text.matchAll(TEMPLATE_CALL)].map((call) => call[1] as string);
}

/**
 * Replaces each `{{ template(path, table) }}` of a model file's text with that
 * template (read by `read`, a path under sql/) filled in for the table.
 */
export function expandTemplates(text: string, read: (relativePath: string) => string, source = 'sql'): string {
  return text.replace(TEMPLATE_CALL, (_match, file: string, table: string) => {
    if (!isSqlTemplate(file)) throw new SqlTemplateError(`${source}: ${file} is not a template (its name must start with '_')`);
    return fillTemplate(read(file), table, `sql/${file}`);
  });
}
