/**
 * The audit columns that hold text built from input (file headers, reject
 * reasons, error messages), with their varchar limits from sql/ddl/02_audit.sql.
 * Redshift counts varchar lengths in BYTES and rejects a longer value, so a
 * multi-byte message would fail the very insert that records it. Values are
 * cut here (and sample keys in SQL, validateBatch.ts) to fit; a test keeps
 * these numbers equal to the DDL.
 */
export const AUDIT_LIMITS = {
  /** audit.table_loads.extra_columns */
  extraColumns: 1024,
  /** audit.table_loads.reject_reasons */
  rejectReasons: 4096,
  /** audit.test_results.sample_keys */
  sampleKeys: 1024,
  /** audit.alerts.message */
  alertMessage: 4096,
  /** audit.alerts.error_name */
  alertErrorName: 128,
  /** audit.batches.error */
  batchError: 4096,
} as const;

/** What marks a value that was cut (ASCII: one byte a character everywhere). */
export const CUT_MARKER = '...';

/** UTF-8 size of a text, as Redshift counts varchar lengths. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The text unchanged if it fits `maxBytes` of UTF-8, else its longest prefix (whole characters) that fits with `...` after it. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = maxBytes - CUT_MARKER.length;
  let out = '';
  let used = 0;
  for (const character of text) {
    const size = utf8Bytes(character);
    if (used + size > budget) break;
    out += character;
    used += size;
  }
  return out + CUT_MARKER;
}

/** Items joined by `separator` within `maxBytes`; items that do not fit are dropped whole and counted: `a,b,...(+3)`. */
export function joinWithinBytes(items: readonly string[], separator: string, maxBytes: number): string {
  const all = items.join(separator);
  if (utf8Bytes(all) <= maxBytes) return all;
  for (let kept = items.length - 1; kept >= 0; kept -= 1) {
    const tail = `${CUT_MARKER}(+${items.length - kept})`;
    const text = [...items.slice(0, kept), tail].join(separator);
    if (utf8Bytes(text) <= maxBytes) return text;
  }
  return cutToBytes(all, maxBytes);
}

/**
 * Counts by key as JSON within `maxBytes`, still valid JSON: the most frequent
 * keys are kept, the rest summed under `"(N more)"`.
 */
export function countsJsonWithinBytes(counts: Readonly<Record<string, number>>, maxBytes: number): string {
  const all = JSON.stringify(counts);
  if (utf8Bytes(all) <= maxBytes) return all;
  const entries = Object.entries(counts).sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
  for (let kept = entries.length - 1; kept >= 0; kept -= 1) {
    const dropped = entries.slice(kept);
    const rest = dropped.reduce((sum, [, n]) => sum + n, 0);
    const text = JSON.stringify(Object.fromEntries([...entries.slice(0, kept), [`(${dropped.length} more)`, rest]]));
    if (utf8Bytes(text) <= maxBytes) return text;
  }
  return JSON.stringify({ [`(${entries.length} reasons)`]: entries.reduce((sum, [, n]) => sum + n, 0) });
}
