/**
 * Exact numbers for the report: the warehouse returns decimals as text, which
 * is rounded here as decimal text (half away from zero), never through binary
 * floating point, so that the same warehouse always prints the same digits.
 */

type Value = string | number | boolean | null | undefined;

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/** A decimal value (text or number) as an integer count of 10^-places, rounded half away from zero; null stays null. */
export function scaled(value: Value, places: number): bigint | null {
  if (value === null || value === undefined || value === '') return null;
  const text = typeof value === 'number' ? numberText(value) : String(value).trim();
  const match = DECIMAL_TEXT.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new TypeError(`not a number: ${text}`);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const shift = places + Number(exponent);
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '') || '0';
  const point = shift - fraction.length;
  let units: bigint;
  if (point >= 0) {
    units = BigInt(digits) * 10n ** BigInt(point);
  } else {
    const divisor = 10n ** BigInt(-point);
    const quotient = BigInt(digits) / divisor;
    units = (BigInt(digits) % divisor) * 2n >= divisor ? quotient + 1n : quotient;
  }
  return sign === '-' ? -units : units;
}

/** Integer units of 10^-places as decimal text (`-1234.5000`). */
export function unitsText(units: bigint, places: number): string {
  const digits = (units < 0n ? -units : units).toString().padStart(places + 1, '0');
  return `${units < 0n ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** The exact sum of decimal values, as text with 4 places; nulls count as nothing. */
export function exactSum(values: readonly Value[]): string {
  return unitsText(values.reduce<bigint>((sum, v) => sum + (scaled(v, 4) ?? 0n), 0n), 4);
}

/** a - b exactly, as text with 4 places; null when a is null (a null b counts as 0). */
export function exactDifference(a: Value, b: Value): string | null {
  const left = scaled(a, 4);
  return left === null ? null : unitsText(left - (scaled(b, 4) ?? 0n), 4);
}

/** A decimal rounded to `places` as a JS number (null stays null): what JSON rows carry. */
export function rounded(value: Value, places: number): number | null {
  const units = scaled(value, places);
  return units === null ? null : Number(units) / 10 ** places;
}

/** A whole number (counts come back as text for BIGINT); null stays null. */
export function whole(value: Value): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** 100 x part / total with 1 decimal; null when the total is zero or either is null. */
export function percent(part: Value, total: Value): number | null {
  const p = scaled(part, 4);
  const t = scaled(total, 4);
  if (p === null || t === null || t === 0n) return null;
  return rounded((Number(p) * 100) / Number(t), 1);
}

/** sum / count with 2 decimals; null when nothing was counted. */
export function average(sum: Value, count: Value): number | null {
  const s = scaled(sum, 4);
  const n = whole(count);
  if (s === null || n === null || n === 0) return null;
  return rounded(Number(s) / 10_000 / n, 2);
}

/** Text of a number without exponent (up to 12 decimals), for rounding it as text. */
function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
  return value.toFixed(12);
}

/** An amount for people: thousands separators, 2 decimals, `-` for negatives (`1,240.00`). */
export function formatAmount(value: number | null, minus = '-'): string {
  if (value === null) return '';
  const units = scaled(value, 2) as bigint;
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(3, '0');
  const integer = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? minus : ''}${integer}.${digits.slice(-2)}`;
}
