import { z } from 'zod';
import { parseFreshness } from '../functions/core/config.js';
import { StackConfigError } from '../functions/core/errors.js';
import { isTimeZone, scheduleExpressionProblem } from './schedule.js';

/**
 * The stack configuration: every setting that differs per environment, with
 * its default and its validation, in one table. Pulumi.yaml declares the same
 * keys (a test keeps the two in step); infra/index.ts is the only caller.
 */

/** How Pulumi.yaml declares a key (Pulumi hands every value to the program as a string). */
export type ConfigKind = 'string' | 'integer' | 'boolean' | 'array';

/** One configuration key: its Pulumi.yaml type, default, description and value rules. */
export interface ConfigKeySpec<S extends z.ZodType = z.ZodType> {
  readonly kind: ConfigKind;
  readonly default: z.input<S>;
  readonly description: string;
  readonly schema: S;
}

/** The project's config namespace (the Pulumi project name). */
export const CONFIG_NAMESPACE = 'ecomdw';

/** The values CloudWatch Logs accepts for a retention period, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export const GLUE_WORKER_TYPES = ['G.1X', 'G.2X', 'G.4X', 'G.8X'] as const;
export const POWERTOOLS_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export const STATE_MACHINE_LOG_LEVELS = ['ALL', 'ERROR', 'FATAL'] as const;
export const USAGE_LIMIT_BREACH_ACTIONS = ['emit-metric', 'log', 'deactivate'] as const;
// nodejs20.x can no longer be created or updated on Lambda (deprecated 2026-04-30); the bundle targets node20, which both run.
export const LAMBDA_RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;
export const LAMBDA_ARCHITECTURES = ['arm64', 'x86_64'] as const;

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => `must be one of ${values.join(', ')} (got ${JSON.stringify(issue.input)})` });

const intIn = (min: number, max: number, unit = '') =>
  z
    .number()
    .int({ error: (issue) => `must be a whole number${unit} (got ${JSON.stringify(issue.input)})` })
    .refine((n) => n >= min && n <= max, { error: (issue) => `must be between ${min} and ${max}${unit} (got ${JSON.stringify(issue.input)})` });

const rpu = (min: number, max: number) =>
  z
    .number()
    .refine((n) => Number.isInteger(n) && n % 8 === 0 && n >= min && n <= max, {
      error: (issue) => `must be a multiple of 8 between ${min} and ${max} RPU (got ${JSON.stringify(issue.input)})`,
    });

const custom = (check: (value: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const key = <S extends z.ZodType>(spec: ConfigKeySpec<S>): ConfigKeySpec<S> => spec;

/** Every `ecomdw:*` key, in the order docs/cloud.md and Pulumi.yaml list them. */
export const CONFIG_KEYS = {
  scheduleExpression: key({
    kind: 'string',
    default: 'cron(0 6 * * ? *)',
    description: 'When the pipeline runs: EventBridge Scheduler rate(...), cron(...) or at(...).',
    schema: custom((v) => scheduleExpressionProblem(v)),
  }),
  scheduleTimezone: key({
    kind: 'string',
    default: 'UTC',
    description: 'IANA time zone the cron expression is read in.',
    schema: custom((v) => (isTimeZone(v) ? null : `must be an IANA time zone such as UTC or Europe/Paris (got ${JSON.stringify(v)})`)),
  }),
  scheduleEnabled: key({
    kind: 'boolean',
    default: true,
    description: 'Whether the schedule starts executions (false: the schedule exists but is DISABLED; run by hand).',
    schema: z.boolean(),
  }),
  alertEmails: key({
    kind: 'array',
    default: [],
    description: 'E-mail addresses subscribed to the alert topic (each must confirm the subscription).',
    schema: z
      .array(z.string())
      .superRefine((emails, ctx) => {
        for (const email of emails) {
          if (!z.email().safeParse(email).success) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(email)} is not an e-mail address` });
        }
        if (new Set(emails).size !== emails.length) ctx.addIssue({ code: 'custom', message: 'lists an address twice' });
      }),
  }),
  redshiftBaseCapacity: key({
    kind: 'integer',
    default: 8,
    description: 'Redshift Serverless base capacity in RPU (multiple of 8, 8-1024).',
    schema: rpu(8, 1024),
  }),
  redshiftMaxCapacity: key({
    kind: 'integer',
    default: 32,
    description: 'Upper bound of Redshift Serverless scaling in RPU (multiple of 8, at least the base capacity).',
    schema: rpu(8, 5632),
  }),
  redshiftDailyRpuHoursLimit: key({
    kind: 'integer',
    default: 24,
    description: 'Usage limit: RPU-hours per day before the breach action and the cost alarm.',
    schema: intIn(1, 100_000, ' RPU-hours'),
  }),
  redshiftUsageLimitBreachAction: key({
    kind: 'string',
    default: 'emit-metric',
    description: 'What Redshift does when the daily limit is reached: emit-metric, log, or deactivate (stops queries).',
    schema: oneOf(USAGE_LIMIT_BREACH_ACTIONS),
  }),
  redshiftDatabase: key({
    kind: 'string',
    default: 'ecomdw',
    description: 'Database created in the namespace.',
    schema: custom((v) => (/^[a-z_][a-z0-9_$]{0,62}$/.test(v) ? null : `must be a lower-case database name (a-z, 0-9, _ or $, not starting with a digit, at most 63) (got ${JSON.stringify(v)})`)),
  }),
  redshiftAdminUsername: key({
    kind: 'string',
    default: 'ecomdw_admin',
    description: 'Admin user of the namespace; its password is generated and kept in Secrets Manager by AWS.',
    schema: custom((v) => (/^[a-z][a-z0-9_]{0,127}$/.test(v) && !['admin', 'rdsdb', 'public', 'user'].includes(v) ? null : `must be a lower-case user name (a-z, 0-9, _; starting with a letter; not admin, rdsdb, public or user) (got ${JSON.stringify(v)})`)),
  }),
  redshiftQueryTimeoutSeconds: key({
    kind: 'integer',
    default: 600,
    description: 'How long a step waits for its SQL before cancelling it (REDSHIFT_TIMEOUT_SECONDS).',
    schema: intIn(10, 840, ' seconds'),
  }),
  vpcCidr: key({
    kind: 'string',
    default: '10.42.0.0/16',
    description: 'Private address range of the warehouse VPC (/16 to /18; three /20 subnets are carved from it).',
    schema: custom(vpcCidrProblem),
  }),
  logRetentionDays: key({
    kind: 'integer',
    default: 30,
    description: 'Retention of every log group the stack creates (a value CloudWatch Logs accepts).',
    schema: z.number().refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
      error: (issue) => `must be one of ${LOG_RETENTION_DAYS.join(', ')} (got ${JSON.stringify(issue.input)})`,
    }),
  }),
  logLevel: key({
    kind: 'string',
    default: 'INFO',
    description: 'Lambda log level (POWERTOOLS_LOG_LEVEL).',
    schema: oneOf(POWERTOOLS_LOG_LEVELS),
  }),
  stateMachineLogLevel: key({
    kind: 'string',
    default: 'ERROR',
    description: 'Step Functions logging level to CloudWatch Logs: ALL, ERROR or FATAL.',
    schema: oneOf(STATE_MACHINE_LOG_LEVELS),
  }),
  stateMachineIncludeExecutionData: key({
    kind: 'boolean',
    default: false,
    description: 'Whether state machine logs include state input/output (may contain business data).',
    schema: z.boolean(),
  }),
  freshness: key({
    kind: 'string',
    default: '{}',
    description: 'Source freshness thresholds as JSON, e.g. {"orders":{"warnAfterHours":6,"errorAfterHours":24}} (ECOMDW_FRESHNESS).',
    schema: custom(freshnessProblem),
  }),
  glueWorkerType: key({
    kind: 'string',
    default: 'G.1X',
    description: 'Glue worker type of the normalization job.',
    schema: oneOf(GLUE_WORKER_TYPES),
  }),
  glueNumberOfWorkers: key({
    kind: 'integer',
    default: 2,
    description: 'Glue workers per job run (at least 2).',
    schema: intIn(2, 299, ' workers'),
  }),
  glueMaxConcurrentRuns: key({
    kind: 'integer',
    default: 6,
    description: 'Concurrent runs of the Glue job (at least 6: one per source table in the Map state).',
    schema: intIn(6, 1000, ' runs'),
  }),
  glueTimeoutMinutes: key({
    kind: 'integer',
    default: 60,
    description: 'Glue job run timeout.',
    schema: intIn(1, 2880, ' minutes'),
  }),
  lambdaMemoryMb: key({
    kind: 'integer',
    default: 512,
    description: 'Memory of each Lambda function.',
    schema: intIn(128, 10240, ' MB'),
  }),
  lambdaTimeoutSeconds: key({
    kind: 'integer',
    default: 900,
    description: 'Timeout of each Lambda function (at least redshiftQueryTimeoutSeconds + 60).',
    schema: intIn(30, 900, ' seconds'),
  }),
  lambdaRuntime: key({
    kind: 'string',
    default: 'nodejs22.x',
    description: 'Lambda runtime (the bundle targets Node 20 syntax, which both run).',
    schema: oneOf(LAMBDA_RUNTIMES),
  }),
  lambdaArchitecture: key({
    kind: 'string',
    default: 'arm64',
    description: 'Lambda CPU architecture (the bundle is plain JavaScript).',
    schema: oneOf(LAMBDA_ARCHITECTURES),
  }),
  lakeForceDestroy: key({
    kind: 'boolean',
    default: false,
    description: 'Let `pulumi destroy` delete non-empty buckets (keep false where data matters).',
    schema: z.boolean(),
  }),
  lakeNoncurrentVersionDays: key({
    kind: 'integer',
    default: 90,
    description: 'Days an overwritten or deleted object version is kept before S3 expires it.',
    schema: intIn(1, 3650, ' days'),
  }),
} as const satisfies Record<string, ConfigKeySpec>;

/** The name of one `ecomdw:*` key. */
export type ConfigKeyName = keyof typeof CONFIG_KEYS;

/** The validated settings, one typed property per key. */
export type StackSettings = {
  readonly [K in ConfigKeyName]: z.output<(typeof CONFIG_KEYS)[K]['schema']>;
};

/** Everything infra/index.ts needs to build the stack. */
export interface StackConfig extends StackSettings {
  /** The Pulumi stack name: names resources and is ECOMDW_ENVIRONMENT / the metrics dimension. */
  readonly environment: string;
  /** aws:region. */
  readonly region: string;
  /** `freshness` with every table filled in, as the Lambda environment carries it. */
  readonly freshnessJson: string;
}

/** The raw configuration as Pulumi provides it: every value a string. */
export interface RawStackConfig {
  readonly stack: string;
  readonly region: string | undefined;
  /** `ecomdw:*` values keyed without the namespace (`scheduleExpression`, ...). */
  readonly values: Readonly<Record<string, string | undefined>>;
}

export { StackConfigError };

/** Validates the raw stack configuration, applying defaults; throws one StackConfigError listing every problem. */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const problems: string[] = [];
  // The stack name ends up in Redshift namespace/workgroup names (lower case, 3-64) and metric dimensions.
  if (!/^[a-z][a-z0-9-]{1,29}$/.test(raw.stack)) {
    problems.push(`stack name ${JSON.stringify(raw.stack)} must be 2-30 characters of a-z, 0-9 and -, starting with a letter`);
  }
  if (raw.region === undefined || raw.region === '') {
    problems.push('aws:region is not set (e.g. `pulumi config set aws:region eu-west-1`)');
  } else if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(raw.region)) {
    problems.push(`aws:region must be an AWS region such as eu-west-1 (got ${JSON.stringify(raw.region)})`);
  }
  for (const name of Object.keys(raw.values)) {
    if (!Object.hasOwn(CONFIG_KEYS, name)) {
      problems.push(`${CONFIG_NAMESPACE}:${name} is not a known setting (known: ${Object.keys(CONFIG_KEYS).join(', ')})`);
    }
  }
  const settings: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_KEYS) as [ConfigKeyName, ConfigKeySpec][]) {
    const label = `${CONFIG_NAMESPACE}:${name}`;
    const text = raw.values[name];
    const coerced = text === undefined ? { value: spec.default } : coerce(text, spec.kind);
    if ('problem' in coerced) {
      problems.push(`${label}: ${coerced.problem}`);
      continue;
    }
    const parsed = spec.schema.safeParse(coerced.value);
    if (parsed.success) settings[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((issue) => `${label}: ${issue.message}`));
  }
  const typed = settings as StackSettings;
  if (problems.length === 0) problems.push(...crossFieldProblems(typed));
  if (problems.length > 0) throw new StackConfigError(problems);
  return {
    ...typed,
    environment: raw.stack,
    region: raw.region as string,
    freshnessJson: JSON.stringify(parseFreshness(typed.freshness)),
  };
}

function crossFieldProblems(s: StackSettings): string[] {
  const problems: string[] = [];
  if (s.redshiftMaxCapacity < s.redshiftBaseCapacity) {
    problems.push(`${CONFIG_NAMESPACE}:redshiftMaxCapacity (${s.redshiftMaxCapacity}) must be at least ${CONFIG_NAMESPACE}:redshiftBaseCapacity (${s.redshiftBaseCapacity})`);
  }
  // The step must outlive its own SQL deadline so that it can still cancel the statement and report.
  if (s.lambdaTimeoutSeconds < s.redshiftQueryTimeoutSeconds + 60) {
    problems.push(`${CONFIG_NAMESPACE}:lambdaTimeoutSeconds (${s.lambdaTimeoutSeconds}) must be at least ${CONFIG_NAMESPACE}:redshiftQueryTimeoutSeconds + 60 (${s.redshiftQueryTimeoutSeconds + 60})`);
  }
  return problems;
}

type Coerced = { readonly value: unknown } | { readonly problem: string };

function coerce(text: string, kind: ConfigKind): Coerced {
  switch (kind) {
    case 'string':
      return { value: text };
    case 'integer':
      return /^-?\d+$/.test(text.trim()) ? { value: Number(text) } : { problem: `must be a whole number (got ${JSON.stringify(text)})` };
    case 'boolean':
      return text === 'true' || text === 'false' ? { value: text === 'true' } : { problem: `must be true or false (got ${JSON.stringify(text)})` };
    case 'array': {
      try {
        const value: unknown = JSON.parse(text);
        return Array.isArray(value) ? { value } : { problem: `must be a list (got ${text})` };
      } catch {
        return { problem: `must be a list (got ${JSON.stringify(text)})` };
      }
    }
  }
}

function freshnessProblem(json: string): string | null {
  try {
    parseFreshness(json);
    return null;
  } catch (error) {
    return (error as Error).message.replace(/^ECOMDW_FRESHNESS:?\s*/, '');
  }
}

function vpcCidrProblem(cidr: string): string | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const expected = `must be a private IPv4 range from /16 to /18, such as 10.42.0.0/16 (got ${JSON.stringify(cidr)})`;
  if (!match) return expected;
  const [a, b, c, d, prefix] = match.slice(1).map(Number) as [number, number, number, number, number];
  if ([a, b, c, d].some((o) => o > 255) || prefix < 16 || prefix > 18) return expected;
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  if (!isPrivate) return expected;
  const address = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  if (address % 2 ** (32 - prefix) !== 0) return `has host bits set; use the network address (got ${JSON.stringify(cidr)})`;
  return null;
}

/** Carves `count` consecutive /`prefix` subnets from the start of a validated VPC range. */
export function subnetCidrs(vpcCidr: string, count: number, prefix = 20): string[] {
  const address = vpcCidr.split('/')[0] ?? '';
  const base = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  return Array.from({ length: count }, (_, i) => {
    const n = base + i * size;
    return `${[24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')}/${prefix}`;
  });
}
