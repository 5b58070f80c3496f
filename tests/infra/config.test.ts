import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, parseStackConfig, StackConfigError, subnetCidrs } from '../../infra/config.js';
import { stackValues } from './harness.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const readYaml = (file: string) => parse(readFileSync(`${REPO}${file}`, 'utf8')) as { config: Record<string, unknown> };

const parseWith = (values: Record<string, string>, overrides: { stack?: string; region?: string | undefined } = {}) =>
  parseStackConfig({ stack: overrides.stack ?? 'dev', region: 'region' in overrides ? overrides.region : 'eu-west-1', values });

function problemsOf(values: Record<string, string>, overrides: { stack?: string; region?: string | undefined } = {}): string[] {
  try {
    parseWith(values, overrides);
  } catch (error) {
    if (error instanceof StackConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('Stack configuration', () => {
  it('applies every default when the stack sets nothing', () => {
    // Act
    const config = parseWith({});
    // Assess
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) expect(config[key as keyof typeof CONFIG_KEYS]).toEqual(spec.default);
    expect(config).toMatchObject({ environment: 'dev', region: 'eu-west-1' });
    expect(JSON.parse(config.freshnessJson)).toHaveProperty('orders');
  });

  it('is declared in Pulumi.yaml key for key, with the same types and defaults', () => {
    const declared = readYaml('Pulumi.yaml').config as Record<string, { type?: string; default?: unknown; description?: string; value?: unknown }>;
    expect(Object.keys(declared).sort()).toEqual(['aws:region', ...Object.keys(CONFIG_KEYS)].sort());
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      expect({ key, type: declared[key]?.type, default: declared[key]?.default }).toEqual({ key, type: spec.kind, default: spec.default });
      expect(declared[key]?.description).toBe(spec.description);
    }
  });

  it('runs ESM TypeScript through tsx from infra/index.ts', () => {
    const project = readYaml('Pulumi.yaml') as unknown as { name: string; main: string; runtime: { name: string; options: Record<string, unknown> } };
    expect(project).toMatchObject({ name: 'ecomdw', main: 'infra/index.ts', runtime: { name: 'nodejs', options: { typescript: false, nodeargs: '--import tsx' } } });
  });

  it.each(['Pulumi.dev.yaml', 'Pulumi.prod.yaml'])('accepts %s', (file) => {
    const { region, values } = stackValues(file);
    expect(() => parseWith(values, { stack: file.split('.')[1] as string, region })).not.toThrow();
  });

  it('reads the production stack as intended', () => {
    const { region, values } = stackValues('Pulumi.prod.yaml');
    const config = parseWith(values, { stack: 'prod', region });
    expect(config).toMatchObject({ scheduleEnabled: true, redshiftBaseCapacity: 32, alertEmails: ['data-oncall@example.com', 'analytics-leads@example.com'] });
    expect(JSON.parse(config.freshnessJson).orders).toEqual({ warnAfterHours: 6, errorAfterHours: 24 });
  });

  it.each([
    'rate(5 minutes)',
    'rate(1 day)',
    'cron(0 6 * * ? *)',
    'cron(0/15 8-18 ? * MON-FRI *)',
    'cron(0 6 L * ? *)',
    'cron(0 6 ? * 2#1 *)',
    'at(2027-01-01T06:00:00)',
  ])('accepts the schedule expression %s', (expression) => {
    expect(problemsOf({ scheduleExpression: expression })).toEqual([]);
  });

  it.each([
    ['cron(0 6 * * *)', /needs 6 fields/],
    ['cron(0 25 * * ? *)', /hours: "25" is not valid/],
    ['cron(0 6 1 * MON *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 6 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['rate(1 hours)', /singular/],
    ['rate(5 minute)', /plural/],
    ['rate(0 minutes)', /positive/],
    ['daily at 6', /must be rate\(/],
    ['at(2027-02-30T06:00:00)', /not a valid date/],
  ])('rejects the schedule expression %s', (expression, message) => {
    const problems = problemsOf({ scheduleExpression: expression });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ecomdw:scheduleExpression: /);
    expect(problems[0]).toMatch(message);
  });

  it.each([
    ['redshiftBaseCapacity', '-8', /multiple of 8 between 8 and 1024 RPU \(got -8\)/],
    ['redshiftBaseCapacity', '12', /multiple of 8 between 8 and 1024 RPU \(got 12\)/],
    ['redshiftBaseCapacity', '1032', /multiple of 8 between 8 and 1024 RPU/],
    ['redshiftBaseCapacity', 'eight', /must be a whole number/],
    ['redshiftMaxCapacity', '0', /multiple of 8 between 8 and 5632 RPU/],
    ['redshiftDailyRpuHoursLimit', '-1', /between 1 and 100000 RPU-hours/],
    ['redshiftUsageLimitBreachAction', 'stop', /must be one of emit-metric, log, deactivate \(got "stop"\)/],
    ['alertEmails', '["ops@example.com","not-an-address"]', /"not-an-address" is not an e-mail address/],
    ['alertEmails', '["a@example.com","a@example.com"]', /twice/],
    ['alertEmails', 'ops@example.com', /must be a list/],
    ['scheduleTimezone', 'Mars/Olympus', /IANA time zone/],
    ['scheduleEnabled', 'yes', /must be true or false \(got "yes"\)/],
    ['logRetentionDays', '10', /must be one of 1, 3, 5, 7, 14, 30/],
    ['logLevel', 'VERBOSE', /must be one of DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT/],
    ['stateMachineLogLevel', 'OFF', /must be one of ALL, ERROR, FATAL/],
    ['glueWorkerType', 'G.3X', /must be one of G.1X, G.2X, G.4X, G.8X/],
    ['glueMaxConcurrentRuns', '4', /between 6 and 1000 runs/],
    ['glueNumberOfWorkers', '2.5', /must be a whole number/],
    ['lambdaMemoryMb', '64', /between 128 and 10240 MB/],
    ['lambdaRuntime', 'nodejs20.x', /must be one of nodejs22.x, nodejs24.x/],
    ['vpcCidr', '8.8.0.0/16', /private IPv4 range/],
    ['vpcCidr', '10.0.0.0/24', /from \/16 to \/18/],
    ['vpcCidr', '10.0.1.0/16', /host bits/],
    ['redshiftDatabase', 'My-DB', /lower-case database name/],
    ['redshiftAdminUsername', 'admin', /not admin/],
    ['freshness', '{not json', /not valid JSON/],
    ['freshness', '{"orders":{"warnAfterHours":48,"errorAfterHours":6}}', /warnAfterHours must not exceed errorAfterHours/],
    ['freshness', '{"refunds":{"warnAfterHours":6}}', /refunds/],
  ])('rejects %s = %s, naming the key and what it accepts', (key, value, message) => {
    const problems = problemsOf({ [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^ecomdw:${key}: `));
    expect(problems[0]).toMatch(message);
  });

  it('rejects a maximum capacity below the base capacity', () => {
    expect(problemsOf({ redshiftBaseCapacity: '64', redshiftMaxCapacity: '32' })).toEqual([
      'ecomdw:redshiftMaxCapacity (32) must be at least ecomdw:redshiftBaseCapacity (64)',
    ]);
  });

  it('rejects a Lambda timeout that leaves the step no time to cancel its SQL', () => {
    expect(problemsOf({ redshiftQueryTimeoutSeconds: '600', lambdaTimeoutSeconds: '620' })).toEqual([
      'ecomdw:lambdaTimeoutSeconds (620) must be at least ecomdw:redshiftQueryTimeoutSeconds + 60 (660)',
    ]);
  });

  it('rejects a misspelt key instead of silently using the default', () => {
    expect(problemsOf({ redshiftBaseCapcity: '16' })[0]).toMatch(/^ecomdw:redshiftBaseCapcity is not a known setting \(known: scheduleExpression, /);
  });

  it.each([
    [{ stack: 'Prod' }, /stack name "Prod"/],
    [{ region: undefined }, /aws:region is not set/],
    [{ region: 'europe' }, /aws:region must be an AWS region/],
  ])('rejects stack %o', (overrides, message) => {
    expect(problemsOf({}, overrides)[0]).toMatch(message);
  });

  it('reports every problem at once', () => {
    // Act
    const attempt = () => parseWith({ redshiftBaseCapacity: '12', alertEmails: '["x"]', logLevel: 'LOUD' });
    // Assess
    expect(attempt).toThrow(StackConfigError);
    expect(attempt).toThrow(/invalid stack configuration:\n {2}- ecomdw:alertEmails: .*\n {2}- ecomdw:redshiftBaseCapacity: .*\n {2}- ecomdw:logLevel: /);
  });

  it('carves three /20 subnets from the VPC range', () => {
    expect(subnetCidrs('10.60.0.0/16', 3)).toEqual(['10.60.0.0/20', '10.60.16.0/20', '10.60.32.0/20']);
    expect(subnetCidrs('172.16.64.0/18', 3)).toEqual(['172.16.64.0/20', '172.16.80.0/20', '172.16.96.0/20']);
  });
});
