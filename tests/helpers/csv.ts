import { readFileSync } from 'node:fs';

/**
 * Reads a small RFC 4180 file (header row, `"` quotes, `""` escapes, LF or
 * CRLF, optional UTF-8 BOM) into objects keyed by header; empty fields are ''.
 * Written for tests that need figures computed without DuckDB.
 */
export function readCsvObjects(file: string): Record<string, string>[] {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((fields) => Object.fromEntries(header.map((name, i) => [name, fields[i] ?? ''])));
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** A decimal string (at most 2 significant decimals, e.g. '99.9', '12.3400') as integer cents. */
export function toCents(value: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(value.trim());
  if (!match) throw new Error(`not a decimal: '${value}'`);
  const [, sign, whole, fraction = ''] = match;
  if (/[1-9]/.test(fraction.slice(2))) throw new Error(`more than cents: '${value}'`);
  const cents = BigInt(whole ?? '0') * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
  return sign === '-' ? -cents : cents;
}
