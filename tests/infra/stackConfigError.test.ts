import { describe, expect, it } from 'vitest';
import { installMocks, resources } from './harness.js';

await installMocks({
  stack: 'dev',
  config: { 'aws:region': 'eu-west-1', 'ecomdw:redshiftBaseCapacity': '12', 'ecomdw:scheduleExpression': 'cron(0 6 * * *)' },
});

describe('The stack with a bad configuration', () => {
  it('fails with a message naming each bad key before creating anything', async () => {
    // Act
    const loading = import('../../infra/index.js');
    // Assess
    await expect(loading).rejects.toThrow(/ecomdw:scheduleExpression: cron\(\.\.\.\) needs 6 fields[\s\S]*ecomdw:redshiftBaseCapacity: must be a multiple of 8 between 8 and 1024 RPU \(got 12\)/);
    // A RunError: Pulumi prints the message without a stack trace.
    await expect(loading).rejects.toHaveProperty('__pulumiRunError', true);
    expect(resources).toEqual([]);
  });
});
