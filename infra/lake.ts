import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyDocument } from './policies.js';

/** Prefixes of the lake bucket (SPEC section 1). */
export const LAKE_PREFIXES = { raw: 'raw/', silver: 'silver/', quarantine: 'quarantine/' } as const;

/** Inputs of the lake layer. */
export interface LakeArgs {
  /** Let `pulumi destroy` empty and delete the buckets. */
  readonly forceDestroy: pulumi.Input<boolean>;
  /** Days a noncurrent object version is kept. */
  readonly noncurrentVersionDays: pulumi.Input<number>;
}

/**
 * The S3 lake (raw / silver / quarantine) and an artifacts bucket for the Glue
 * script and SQL; both private, KMS-encrypted with the lake key, versioned and TLS-only.
 */
export class Lake extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly artifactsBucketName: pulumi.Output<string>;
  public readonly artifactsBucketArn: pulumi.Output<string>;
  public readonly keyArn: pulumi.Output<string>;

  public constructor(name: string, args: LakeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ecomdw:lake:Lake', name, {}, opts);
    const key = new aws.kms.Key(
      `${name}-key`,
      { description: `ecomdw ${name}: encrypts the lake and artifacts buckets`, enableKeyRotation: true, deletionWindowInDays: 30 },
      { parent: this },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: pulumi.interpolate`alias/${name}-lake`, targetKeyId: key.keyId }, { parent: this });
    const lake = secureBucket(`${name}-lake`, key, args, this);
    const artifacts = secureBucket(`${name}-artifacts`, key, args, this);

    this.bucketName = lake.bucket;
    this.bucketArn = lake.arn;
    this.artifactsBucketName = artifacts.bucket;
    this.artifactsBucketArn = artifacts.arn;
    this.keyArn = key.arn;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      artifactsBucketName: this.artifactsBucketName,
      artifactsBucketArn: this.artifactsBucketArn,
      keyArn: this.keyArn,
    });
  }
}

function secureBucket(name: string, key: aws.kms.Key, args: LakeArgs, parent: pulumi.Resource): aws.s3.Bucket {
  const bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy }, { parent });
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    { parent },
  );
  new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, { parent });
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket: bucket.id,
      // The bucket key cuts KMS requests (and their cost) to one per bucket key instead of one per object.
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
    },
    { parent },
  );
  new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, { parent });
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
        { id: 'remove-expired-delete-markers', status: 'Enabled', filter: {}, expiration: { expiredObjectDeleteMarker: true } },
      ],
    },
    { parent },
  );
  new aws.s3.BucketPolicy(
    `${name}-policy`,
    {
      bucket: bucket.id,
      policy: policyDocument([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'DenyOutdatedTls',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
          Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
        },
      ]),
    },
    // S3 rejects a bucket policy while the public access block is being changed.
    { parent, dependsOn: [publicAccess] },
  );
  return bucket;
}
