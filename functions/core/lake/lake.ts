import type { SourceTable } from '../contract.js';
import type { NormalizeManifest } from './manifest.js';

/** A raw file of one table in one batch. */
export interface RawFile {
  /** Lake-relative path, e.g. `raw/orders/batch_id=2024-01-01/part-0.csv`. */
  readonly path: string;
  readonly name: string;
}

/** An object under raw/ as a listing shows it: no content read. */
export interface RawObject {
  /** Lake-relative path, e.g. `raw/orders/batch_id=2024-01-01/part-0.csv`. */
  readonly path: string;
  readonly size: number;
  /**
   * Changes whenever the content may have changed (size and mtime locally, size
   * and ETag on S3): an unchanged token spares re-reading the file for its hash.
   */
  readonly changeToken: string;
}

/**
 * The lake as the steps see it: a folder locally, an S3 bucket in the cloud.
 * Only listing, hashing raw files for the ledger and small JSON objects go
 * through it; row data is read by the engines themselves (DuckDB, Spark,
 * Redshift COPY).
 */
export interface Lake {
  /** A human-readable location (folder or s3:// URL). */
  readonly location: string;
  /** Every batch id present under raw/, with the tables it holds. */
  listRawBatches(): Promise<Map<string, SourceTable[]>>;
  /** The raw files of one table in one batch. */
  listRawFiles(table: SourceTable, batchId: string): Promise<RawFile[]>;
  /** Every object under raw/ (any depth), with its size and change token. */
  listRawObjects(): Promise<RawObject[]>;
  /** The SHA-256 (hex) of one object's content, read as a stream. */
  hashObject(path: string): Promise<string>;
  /** The manifest normalization wrote for one table and batch, or null. */
  readManifest(table: SourceTable, batchId: string): Promise<NormalizeManifest | null>;
}
