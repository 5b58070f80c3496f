import type { RawFormat, SourceTable } from '../contract.js';

/** What the normalizer learned about one raw file. */
export interface FileReport {
  readonly file: string;
  readonly format: RawFormat | 'unknown';
  /** Rows read; 1 for a file that could not be parsed (it is quarantined as one record). */
  readonly rawRows: number;
  readonly silverRows: number;
  readonly quarantinedRows: number;
  readonly extraColumns: readonly string[];
  readonly missingOptionalColumns: readonly string[];
  /** False when the file could not be parsed at all. */
  readonly readable: boolean;
  /** Why the whole file was quarantined (malformed, missing required column), or null. */
  readonly fileError: string | null;
}

/** Counts of one table in one batch, written by normalization and read by the load step. */
export interface NormalizeManifest {
  readonly table: SourceTable;
  readonly batchId: string;
  readonly rawRows: number;
  readonly silverRows: number;
  readonly quarantinedRows: number;
  readonly files: readonly FileReport[];
  /** Rejection reasons (without the offending value) and how many rows each. */
  readonly rejectReasons: Readonly<Record<string, number>>;
  readonly normalizedAt: string;
}
