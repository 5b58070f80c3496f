/**
 * EventBridge Scheduler expressions, checked before anything is created:
 * `rate(<n> <unit>)`, `cron(<6 fields>)` or `at(yyyy-mm-ddThh:mm:ss)`.
 * The rules follow the Scheduler documentation (cron fields: minutes, hours,
 * day-of-month, month, day-of-week, year; one of the two day fields is `?`).
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Special tokens this field accepts besides numbers, ranges, lists and steps. */
  readonly special: RegExp | null;
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, special: null },
  { name: 'hours', min: 0, max: 23, special: null },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|([1-9]|[12][0-9]|3[01])W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS, special: null },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, special: /^(\?|L|[1-7]L|[1-7]#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5]))$/ },
  { name: 'year', min: 1970, max: 2199, special: null },
];

/** Returns why a schedule expression is invalid, or null when EventBridge Scheduler accepts it. */
export function scheduleExpressionProblem(expression: string): string | null {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) return rateProblem(Number(rate[1]), rate[2] ?? '');
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return cronProblem(cron[1] ?? '');
  if (/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/.test(expression)) return atProblem(expression.slice(3, -1));
  return 'must be rate(<n> minute(s)|hour(s)|day(s)), cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) or at(yyyy-mm-ddThh:mm:ss)';
}

function atProblem(stamp: string): string | null {
  const parsed = new Date(`${stamp}Z`);
  // Round-trip: Date rolls 2027-02-30 over to March instead of failing.
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 19) !== stamp ? 'at(...) is not a valid date and time' : null;
}

function rateProblem(value: number, unit: string): string | null {
  if (value < 1) return 'rate value must be a positive integer';
  // The service rejects "rate(1 minutes)" and "rate(5 minute)".
  const singular = !unit.endsWith('s');
  if (value === 1 && !singular) return `rate(1 ${unit}) must use the singular unit (${unit.slice(0, -1)})`;
  if (value > 1 && singular) return `rate(${value} ${unit}) must use the plural unit (${unit}s)`;
  return null;
}

function cronProblem(body: string): string | null {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `cron(...) needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  }
  for (const [i, spec] of CRON_FIELDS.entries()) {
    const problem = cronFieldProblem(fields[i] ?? '', spec);
    if (problem) return problem;
  }
  const dayOfMonth = fields[2];
  const dayOfWeek = fields[4];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return 'cron(...) needs exactly one of day-of-month and day-of-week to be ?';
  }
  return null;
}

function cronFieldProblem(field: string, spec: CronField): string | null {
  for (const part of field.split(',')) {
    if (spec.special?.test(part)) {
      if (field.includes(',') && part === '?') return `cron ${spec.name}: ? cannot be part of a list`;
      continue;
    }
    if (!cronPartValid(part, spec)) {
      return `cron ${spec.name}: "${part}" is not valid (values ${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names.at(-1)}` : ''}, with , - * /)`;
    }
  }
  return null;
}

function cronPartValid(part: string, spec: CronField): boolean {
  const [range, step, extra] = part.split('/');
  if (extra !== undefined || range === undefined) return false;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return false;
  if (range === '*') return true;
  const bounds = range.split('-');
  if (bounds.length > 2) return false;
  const values = bounds.map((b) => cronValue(b, spec));
  if (values.some((v) => v === null)) return false;
  return values.length === 1 || (values[0] as number) <= (values[1] as number);
}

function cronValue(token: string, spec: CronField): number | null {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= spec.min && n <= spec.max ? n : null;
  }
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? index + 1 : null;
}

/** True when the name is an IANA time zone this Node.js knows (EventBridge Scheduler takes IANA names). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
