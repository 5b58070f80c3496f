import { ConfigError } from '../core/errors.js';
import { GRAINS, SECTION_IDS, type Attribution, type Grain, type ReportRequest, type SectionId } from './types.js';

/** The report's flags as the command line gives them (strings, all optional). */
export interface ReportFlags {
  readonly from?: string;
  readonly to?: string;
  readonly grain?: string;
  readonly attribution?: string;
  readonly knownAt?: string;
  readonly changesSince?: string;
  readonly section?: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A batch id (^[0-9A-Za-z_.-]{1,64}$) or a run id (a batch id with a time and a random suffix).
const LOAD_ID = /^[0-9A-Za-z_.-]{1,128}$/;

/** Validates the flags into a request; every problem is a ConfigError naming the flag. */
export function reportRequest(flags: ReportFlags): ReportRequest {
  const from = flags.from === undefined ? undefined : calendarDate('--from', flags.from);
  const to = flags.to === undefined ? undefined : calendarDate('--to', flags.to);
  if (from !== undefined && to !== undefined && from > to) throw new ConfigError(`--from ${from} is after --to ${to}`);
  return {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(flags.grain === undefined ? {} : { grain: grainOf(flags.grain) }),
    attribution: attributionOf(flags.attribution ?? 'purchase'),
    ...(flags.knownAt === undefined ? {} : { knownAt: loadId('--known-at', flags.knownAt) }),
    ...(flags.changesSince === undefined ? {} : { changesSince: loadId('--changes-since', flags.changesSince) }),
    ...(flags.section === undefined ? {} : { sections: sectionsOf(flags.section) }),
  };
}

/** `purchase`, `current` or `as-of:YYYY-MM-DD`. */
export function attributionOf(value: string): Attribution {
  const text = value.trim();
  if (text === 'purchase' || text === 'current') return { kind: text };
  if (text.startsWith('as-of:')) return { kind: 'as-of', date: calendarDate('--attribution as-of', text.slice('as-of:'.length)) };
  throw new ConfigError(`--attribution must be purchase, current or as-of:YYYY-MM-DD, got '${value}'`);
}

/** How an attribution is written back (in the report's parameters). */
export function attributionText(attribution: Attribution): string {
  return attribution.kind === 'as-of' ? `as-of:${attribution.date}` : attribution.kind;
}

function calendarDate(flag: string, value: string): string {
  const text = value.trim();
  const match = DATE.exec(text);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (!match || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new ConfigError(`${flag} must be a date YYYY-MM-DD, got '${value}'`);
  }
  return text;
}

function grainOf(value: string): Grain {
  const text = value.trim() as Grain;
  if (!GRAINS.includes(text)) throw new ConfigError(`--grain must be one of ${GRAINS.join(', ')}, got '${value}'`);
  return text;
}

function loadId(flag: string, value: string): string {
  const text = value.trim();
  if (!LOAD_ID.test(text)) throw new ConfigError(`${flag} must be a batch id or a run id, got '${value}'`);
  return text;
}

function sectionsOf(value: string): SectionId[] {
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = ids.filter((id) => !(SECTION_IDS as readonly string[]).includes(id));
  if (ids.length === 0 || unknown.length > 0) {
    throw new ConfigError(`--section takes section ids separated by commas (${SECTION_IDS.join(', ')}), got '${value}'`);
  }
  return ids as SectionId[];
}
