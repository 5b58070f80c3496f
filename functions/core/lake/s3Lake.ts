import { createHash } from 'node:crypto';
import { isSourceTable, type SourceTable } from '../contract.js';
import { ConfigError, LakeError } from '../errors.js';
import type { Lake, RawFile, RawObject } from './lake.js';
import { batchPrefix, MANIFEST_FILE, parseBatchFolder } from './layout.js';
import type { NormalizeManifest } from './manifest.js';

/** ListObjectsV2 as the lake uses it (the SDK v3 `S3` client's method has this shape). */
export interface S3ListObjectsInput {
  readonly Bucket: string;
  readonly Prefix?: string;
  readonly Delimiter?: string;
  readonly ContinuationToken?: string;
}

export interface S3ListObjectsOutput {
  readonly Contents?: readonly { readonly Key?: string; readonly Size?: number; readonly ETag?: string }[];
  readonly CommonPrefixes?: readonly { readonly Prefix?: string }[];
  readonly IsTruncated?: boolean;
  readonly NextContinuationToken?: string;
}

export interface S3GetObjectOutput {
  /** The SDK's body in Node: a readable stream (async iterable) with the SDK's helpers. */
  readonly Body?: { transformToString(encoding?: string): Promise<string> } & Partial<AsyncIterable<Uint8Array>>;
}

/**
 * The two S3 calls the lake makes, shaped like the AWS SDK v3 aggregated
 * `S3` client (`new S3({})` from @aws-sdk/client-s3), so that client or a
 * test double can be passed as is.
 */
export interface S3LakeClient {
  listObjectsV2(input: S3ListObjectsInput): Promise<S3ListObjectsOutput>;
  getObject(input: { readonly Bucket: string; readonly Key: string }): Promise<S3GetObjectOutput>;
}

/** S3 bucket naming rules (no `s3://`, no path): the same rule the Redshift COPY source relies on. */
const BUCKET_NAME = /^(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The lake as an S3 bucket. It lists keys, hashes raw objects for the ledger
 * (streamed, and only when their size or ETag changed) and reads the small
 * `_manifest.json` objects; row data is read by Glue and Redshift COPY.
 * "Folders" are key prefixes: a batch exists when some object lies under
 * `raw/<table>/batch_id=<id>/`.
 */
export class S3Lake implements Lake {
  public readonly location: string;

  /** Validates the bucket name (ConfigError) and keeps the client. */
  public constructor(
    private readonly bucket: string,
    private readonly client: S3LakeClient,
  ) {
    if (!BUCKET_NAME.test(bucket)) {
      throw new ConfigError(`LAKE_BUCKET must be an S3 bucket name (3-63 of a-z, 0-9, . and -; no s3:// and no path), got ${JSON.stringify(bucket)}`);
    }
    this.location = `s3://${bucket}`;
  }

  public async listRawBatches(): Promise<Map<string, SourceTable[]>> {
    const tables = (await this.list('raw/', '/')).prefixes
      .map((prefix) => prefix.slice('raw/'.length, -1))
      .filter(isSourceTable)
      .sort();
    const batches = new Map<string, SourceTable[]>();
    for (const table of tables) {
      const folders = (await this.list(`raw/${table}/`, '/')).prefixes.map((prefix) => prefix.slice(`raw/${table}/`.length, -1)).sort();
      for (const folder of folders) {
        const batchId = parseBatchFolder(folder);
        if (batchId === null) continue;
        batches.set(batchId, [...(batches.get(batchId) ?? []), table]);
      }
    }
    return batches;
  }

  public async listRawFiles(table: SourceTable, batchId: string): Promise<RawFile[]> {
    const prefix = `${batchPrefix('raw', table, batchId)}/`;
    // The delimiter keeps files of nested "folders" out, as the local lake reads only the folder itself.
    return (await this.list(prefix, '/')).keys
      .map((key) => ({ path: key, name: key.slice(prefix.length) }))
      .filter(({ name }) => name !== '' && !name.startsWith('.') && !name.startsWith('_'))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  public async listRawObjects(): Promise<RawObject[]> {
    return (await this.list('raw/', '')).objects.map((o) => ({ path: o.key, size: o.size, changeToken: `${o.size}:${o.etag}` }));
  }

  public async hashObject(key: string): Promise<string> {
    const hash = createHash('sha256');
    try {
      const body = (await this.client.getObject({ Bucket: this.bucket, Key: key })).Body;
      if (body?.[Symbol.asyncIterator] === undefined) throw new Error('the response has no readable body');
      for await (const chunk of body as AsyncIterable<Uint8Array>) hash.update(chunk);
    } catch (error) {
      throw new LakeError(`cannot read s3://${this.bucket}/${key}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    }
    return hash.digest('hex');
  }

  public async readManifest(table: SourceTable, batchId: string): Promise<NormalizeManifest | null> {
    const key = `${batchPrefix('silver', table, batchId)}/${MANIFEST_FILE}`;
    let text: string | undefined;
    try {
      text = await (await this.client.getObject({ Bucket: this.bucket, Key: key })).Body?.transformToString('utf-8');
    } catch (error) {
      if (isMissingKey(error)) return null;
      throw new LakeError(`cannot read s3://${this.bucket}/${key}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, {
        cause: error,
      });
    }
    if (text === undefined) return null;
    try {
      return JSON.parse(text) as NormalizeManifest;
    } catch (error) {
      throw new LakeError(`s3://${this.bucket}/${key} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Every key and common prefix under `prefix`, following continuation tokens. */
  private async list(prefix: string, delimiter: string): Promise<{ keys: string[]; prefixes: string[]; objects: { key: string; size: number; etag: string }[] }> {
    const keys: string[] = [];
    const prefixes: string[] = [];
    const objects: { key: string; size: number; etag: string }[] = [];
    let token: string | undefined;
    do {
      let page: S3ListObjectsOutput;
      try {
        page = await this.client.listObjectsV2({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        });
      } catch (error) {
        throw new LakeError(`cannot list s3://${this.bucket}/${prefix}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, {
          cause: error,
        });
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith('/')) continue;
        keys.push(object.Key);
        objects.push({ key: object.Key, size: object.Size ?? 0, etag: object.ETag ?? '' });
      }
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) prefixes.push(common.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { keys, prefixes, objects };
  }
}

// GetObject on a missing key is NoSuchKey (404) when the caller may list the
// prefix, which the loadStaging role may (without ListBucket S3 answers 403,
// reported as an error). A missing bucket is a 404 too, but a wrong
// LAKE_BUCKET is a configuration error, never "no manifest yet".
function isMissingKey(error: unknown): boolean {
  if (!(error instanceof Error) || error.name === 'NoSuchBucket') return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || status === 404;
}
