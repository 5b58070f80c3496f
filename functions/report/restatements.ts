import type { Row } from '../core/engine/types.js';
import { exactDifference, formatAmount, rounded, scaled, whole } from './numbers.js';
import type { Grain, ReportRow } from './types.js';

/** How each recorded cause reads in a sentence: one change row, several. */
export const CAUSE_WORDS: Readonly<Record<string, readonly [string, string]>> = {
  deleted_item: ['deleted item', 'deleted items'],
  late_order: ['late-arriving order', 'late-arriving orders'],
  added_item: ['item added to an earlier order', 'items added to earlier orders'],
  cancellation: ['cancellation', 'cancellations'],
  return: ['return', 'returns'],
  reinstatement: ['reinstated order', 'reinstated orders'],
  item_correction: ['item correction (quantity, price, discount or product)', 'item corrections (quantity, price, discount or product)'],
  order_date_correction: ['order date correction', 'order date corrections'],
  late_product: ['product whose details arrived late', 'products whose details arrived late'],
  late_customer: ['customer whose details arrived late', 'customers whose details arrived late'],
  product_cost_correction: ['back-dated product cost correction', 'back-dated product cost corrections'],
  product_category_change: ['back-dated product category change', 'back-dated product category changes'],
  customer_change: ['back-dated customer change (segment or city)', 'back-dated customer changes (segment or city)'],
  payment_channel_change: ['order whose payment arrived or changed', 'orders whose payments arrived or changed'],
  late_payment: ['late payment', 'late payments'],
  removed_payment: ['payment moved to another order', 'payments moved to other orders'],
  payment_correction: ['payment correction', 'payment corrections'],
  other_change: ['other change', 'other changes'],
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SLICE_WORDS: Readonly<Record<string, string>> = {
  payment_channel: 'payment channel',
  category: 'category',
  segment: 'segment',
  city: 'city',
};

/** A period as people name it: `2024-03-05`, `week of 2024-03-04`, `March 2024`. */
export function periodName(periodStart: string, grain: Grain): string {
  if (grain === 'day') return periodStart;
  if (grain === 'week') return `week of ${periodStart}`;
  return `${MONTHS[Number(periodStart.slice(5, 7)) - 1] ?? periodStart.slice(5, 7)} ${periodStart.slice(0, 4)}`;
}

/**
 * One row per moved figure from restatements.sql's rows (one per figure and
 * cause), with its causes and a sentence a finance user reads, e.g. `March 2024
 * margin for category toys −1,240.00 (was 35,000.00, now 33,760.00): 3
 * back-dated product cost corrections (P01 … P07: −1,100.00), 1 deleted item (O9#2: −140.00)`.
 */
export function explainRestatements(rows: readonly Row[], grain: Grain): ReportRow[] {
  const figures = new Map<string, { first: Row; causes: Row[] }>();
  for (const row of rows) {
    const key = JSON.stringify([row.period_start, row.measure, row.slice_kind, row.slice_value]);
    const figure = figures.get(key) ?? { first: row, causes: [] };
    if (row.cause !== null && row.cause !== undefined && scaled(row.amount, 4) !== 0n) figure.causes.push(row);
    figures.set(key, figure);
  }
  return [...figures.values()].map(({ first, causes }) => {
    const change = exactDifference(first.new_value, first.old_value);
    const why = causeText(causes);
    const slice = first.slice_kind === 'total' ? '' : ` for ${SLICE_WORDS[String(first.slice_kind)] ?? String(first.slice_kind)} ${String(first.slice_value)}`;
    const signed = formatAmount(rounded(change, 2), '\u2212');
    const sentence =
      `${periodName(String(first.period_start), grain)} ${String(first.measure)}${slice} ${(scaled(change, 4) ?? 0n) > 0n ? '+' : ''}${signed} ` +
      `(was ${formatAmount(rounded(first.old_value, 2))}, now ${formatAmount(rounded(first.new_value, 2))})${why ? `: ${why}` : ''}`;
    return {
      period_start: String(first.period_start),
      measure: String(first.measure),
      slice_kind: String(first.slice_kind),
      slice_value: String(first.slice_value),
      old_value: rounded(first.old_value, 2),
      new_value: rounded(first.new_value, 2),
      change: rounded(change, 2),
      causes: why,
      explanation: sentence,
    };
  });
}

// Largest moves first; each cause with its count of distinct change rows, an example key and what it moved.
function causeText(causes: readonly Row[]): string {
  const sorted = [...causes].sort((a, b) => {
    const size = (r: Row) => {
      const units = scaled(r.amount, 4) ?? 0n;
      return units < 0n ? -units : units;
    };
    const bySize = size(b) - size(a);
    return bySize > 0n ? 1 : bySize < 0n ? -1 : String(a.cause) < String(b.cause) ? -1 : 1;
  });
  return sorted
    .map((r) => {
      const count = whole(r.change_rows) ?? 0;
      const [one, many] = CAUSE_WORDS[String(r.cause)] ?? [String(r.cause), String(r.cause)];
      const example = count === 1 ? String(r.first_key) : `${String(r.first_key)} … ${String(r.last_key)}`;
      const amount = rounded(r.amount, 2) ?? 0;
      return `${count} ${count === 1 ? one : many} (${example}: ${amount > 0 ? '+' : ''}${formatAmount(amount, '\u2212')})`;
    })
    .join(', ');
}
