import { ConfigError } from '../errors.js';

/** How the engine polls `DescribeStatement`: exponential backoff under an overall deadline. */
export interface PollSettings {
  /** Wait before the first poll; 0 only makes sense in tests. */
  readonly initialDelayMs: number;
  /** Upper bound of one wait. */
  readonly maxDelayMs: number;
  /** Each wait is the previous one times this (>= 1). */
  readonly backoffFactor: number;
  /** From submission to giving up (the statement is then cancelled). */
  readonly timeoutMs: number;
}

/**
 * The default deadline (10 min) stays below Lambda's 15 min ceiling so the
 * engine, not Lambda, decides to give up and can still cancel the statement.
 */
export const DEFAULT_POLL_SETTINGS: PollSettings = {
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  backoffFactor: 2,
  timeoutMs: 600_000,
};

/** Everything the Redshift engine needs, validated. */
export interface RedshiftConfig {
  /** Redshift Serverless workgroup name or ARN. */
  readonly workgroupName: string;
  readonly database: string;
  /** Secrets Manager secret holding the database user's credentials. */
  readonly secretArn: string;
  /** The lake bucket name (no `s3://`, no path); `loadParquet` prefixes are relative to it. */
  readonly lakeBucket: string;
  /** The IAM role Redshift assumes to read the lake in COPY. */
  readonly copyRoleArn: string;
  /** AWS region; the SDK's own resolution (AWS_REGION) when absent. */
  readonly region?: string;
  readonly poll: PollSettings;
}

/** The configuration as callers write it: poll settings are optional, each falls back to its default. */
export type RedshiftConfigInput = Omit<RedshiftConfig, 'poll'> & { readonly poll?: Partial<PollSettings> };

type TextField = 'workgroupName' | 'database' | 'secretArn' | 'lakeBucket' | 'copyRoleArn' | 'region';

/**
 * The bucket and role ARN end up as literals inside COPY (S3 paths and IAM
 * roles cannot be bound parameters), so their patterns exclude quotes and
 * whitespace: validation is what makes that splice safe.
 */
const TEXT_RULES: Record<TextField, { readonly pattern: RegExp; readonly expected: string }> = {
  workgroupName: {
    pattern: /^(?:[a-z0-9-]{3,64}|arn:aws[a-z-]*:redshift-serverless:[a-z0-9-]+:\d{12}:workgroup\/[0-9a-f-]{36})$/,
    expected: 'a Redshift Serverless workgroup name (3-64 of a-z, 0-9, -) or its ARN',
  },
  database: {
    pattern: /^[A-Za-z_][A-Za-z0-9_$]{0,126}$/,
    expected: 'a database name (letters, digits, _ or $, not starting with a digit)',
  },
  secretArn: {
    // AWS-managed secrets carry their service's `!` prefix: redshift!<namespace>-<admin user>-XXXXXX.
    pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/,
    expected: 'a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
  },
  lakeBucket: {
    pattern: /^(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    expected: 'an S3 bucket name (3-63 of a-z, 0-9, . and -; no s3:// and no path)',
  },
  copyRoleArn: {
    pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/,
    expected: 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
  },
  region: {
    pattern: /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/,
    expected: 'an AWS region such as eu-west-1',
  },
};

const REQUIRED: readonly TextField[] = ['workgroupName', 'database', 'secretArn', 'lakeBucket', 'copyRoleArn'];

/** Names used in error messages, so that an environment mistake names the variable. */
type FieldNames = Partial<Record<TextField | keyof PollSettings, string>>;

/** Validates a Redshift configuration, naming every bad or missing value in one ConfigError. */
export function parseRedshiftConfig(input: RedshiftConfigInput, names: FieldNames = {}): RedshiftConfig {
  const problems: string[] = [];
  const label = (field: TextField | keyof PollSettings): string => names[field] ?? field;
  for (const field of Object.keys(TEXT_RULES) as TextField[]) {
    const value: unknown = input[field];
    if (value === undefined || value === '') {
      if (REQUIRED.includes(field)) problems.push(`${label(field)} is missing (expected ${TEXT_RULES[field].expected})`);
    } else if (typeof value !== 'string' || !TEXT_RULES[field].pattern.test(value)) {
      problems.push(`${label(field)} must be ${TEXT_RULES[field].expected}, got ${JSON.stringify(value)}`);
    }
  }
  const poll: PollSettings = { ...DEFAULT_POLL_SETTINGS, ...definedOnly(input.poll ?? {}) };
  const check = (field: keyof PollSettings, ok: boolean, expected: string): void => {
    if (!ok) problems.push(`${label(field)} must be ${expected}, got ${JSON.stringify(poll[field])}`);
  };
  check('initialDelayMs', isFiniteNumber(poll.initialDelayMs) && poll.initialDelayMs >= 0, 'a number of milliseconds >= 0');
  check('maxDelayMs', isFiniteNumber(poll.maxDelayMs) && poll.maxDelayMs >= poll.initialDelayMs, 'a number of milliseconds >= initialDelayMs');
  check('backoffFactor', isFiniteNumber(poll.backoffFactor) && poll.backoffFactor >= 1, 'a number >= 1');
  check('timeoutMs', isFiniteNumber(poll.timeoutMs) && poll.timeoutMs > 0, 'a positive duration');
  if (problems.length > 0) throw new ConfigError(`invalid Redshift configuration: ${problems.join('; ')}`);
  const { workgroupName, database, secretArn, lakeBucket, copyRoleArn, region } = input;
  return { workgroupName, database, secretArn, lakeBucket, copyRoleArn, ...(region ? { region } : {}), poll };
}

/**
 * Reads the configuration from `REDSHIFT_WORKGROUP`, `REDSHIFT_DATABASE`,
 * `REDSHIFT_SECRET_ARN`, `LAKE_BUCKET`, `REDSHIFT_COPY_ROLE_ARN` and the
 * optional `REDSHIFT_TIMEOUT_SECONDS`; the region comes from the SDK (AWS_REGION).
 */
export function redshiftConfigFromEnv(env: Readonly<Record<string, string | undefined>>): RedshiftConfig {
  const timeout = env.REDSHIFT_TIMEOUT_SECONDS?.trim();
  const timeoutSeconds = timeout ? Number(timeout) : undefined;
  if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
    throw new ConfigError(`invalid Redshift configuration: REDSHIFT_TIMEOUT_SECONDS must be a positive number of seconds, got ${JSON.stringify(timeout)}`);
  }
  return parseRedshiftConfig(
    {
      workgroupName: env.REDSHIFT_WORKGROUP?.trim() ?? '',
      database: env.REDSHIFT_DATABASE?.trim() ?? '',
      secretArn: env.REDSHIFT_SECRET_ARN?.trim() ?? '',
      lakeBucket: env.LAKE_BUCKET?.trim() ?? '',
      copyRoleArn: env.REDSHIFT_COPY_ROLE_ARN?.trim() ?? '',
      ...(timeoutSeconds === undefined ? {} : { poll: { timeoutMs: timeoutSeconds * 1000 } }),
    },
    {
      workgroupName: 'REDSHIFT_WORKGROUP',
      database: 'REDSHIFT_DATABASE',
      secretArn: 'REDSHIFT_SECRET_ARN',
      lakeBucket: 'LAKE_BUCKET',
      copyRoleArn: 'REDSHIFT_COPY_ROLE_ARN',
      timeoutMs: 'REDSHIFT_TIMEOUT_SECONDS',
    },
  );
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Drops `undefined` entries so that `{ timeoutMs: undefined }` keeps the default rather than erasing it. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
