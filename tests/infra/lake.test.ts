import { beforeAll, describe, expect, it } from 'vitest';
import { installMocks, ofType, one, settle, statementsOf, valueOf } from './harness.js';

await installMocks();
const { Lake } = await import('../../infra/lake.js');

describe('Lake', () => {
  let lake: InstanceType<typeof Lake>;

  beforeAll(async () => {
    // Act
    lake = new Lake('ecomdw-test', { forceDestroy: false, noncurrentVersionDays: 90 });
    await valueOf(lake.bucketArn);
    await settle();
  });

  it('creates the lake and the artifacts bucket', () => {
    expect(ofType('aws:s3/bucket:Bucket').map((b) => b.name).sort()).toEqual(['ecomdw-test-artifacts', 'ecomdw-test-lake']);
  });

  it.each(['lake', 'artifacts'])('blocks every kind of public access on the %s bucket', (bucket) => {
    const block = one('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', `${bucket}-public-access`);
    expect(block.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  });

  it.each(['lake', 'artifacts'])('encrypts the %s bucket with the lake KMS key', async (bucket) => {
    const sse = one('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', `${bucket}-encryption`);
    const rule = sse.inputs.rules[0];
    expect(rule.applyServerSideEncryptionByDefault.sseAlgorithm).toBe('aws:kms');
    expect(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId).toBe(await valueOf(lake.keyArn));
    expect(rule.bucketKeyEnabled).toBe(true);
  });

  it('rotates the lake key', () => {
    expect(one('aws:kms/key:Key', '-key').inputs.enableKeyRotation).toBe(true);
  });

  it.each(['lake', 'artifacts'])('versions the %s bucket and expires old versions', (bucket) => {
    expect(one('aws:s3/bucketVersioning:BucketVersioning', `${bucket}-versioning`).inputs.versioningConfiguration.status).toBe('Enabled');
    const rules = one('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', `${bucket}-lifecycle`).inputs.rules;
    expect(rules[0].noncurrentVersionExpiration.noncurrentDays).toBe(90);
  });

  it.each(['lake', 'artifacts'])('disables ACLs on the %s bucket', (bucket) => {
    expect(one('aws:s3/bucketOwnershipControls:BucketOwnershipControls', `${bucket}-ownership`).inputs.rule.objectOwnership).toBe('BucketOwnerEnforced');
  });

  it.each(['lake', 'artifacts'])('denies any request to the %s bucket that does not use TLS', (bucket) => {
    const policy = one('aws:s3/bucketPolicy:BucketPolicy', `${bucket}-policy`);
    const bucketArn = `arn:aws:s3:::ecomdw-test-${bucket}-abc1234`;
    const deny = statementsOf(policy.inputs.policy).find((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [bucketArn, `${bucketArn}/*`] });
  });
});
