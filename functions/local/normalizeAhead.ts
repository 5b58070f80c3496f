import { statSync } from 'node:fs';
import type { SourceTable } from '../core/contract.js';
import type { LocalLake } from '../core/lake/localLake.js';
import type { NormalizeManifest } from '../core/lake/manifest.js';
import { normalizeTable } from '../core/steps/normalizeTable.js';

/** A normalization done ahead of its NormalizeTable state, and how long it took. */
export interface NormalizedAhead {
  readonly manifest: NormalizeManifest;
  readonly ms: number;
}

interface Ahead {
  /** The batch's raw files of the table as they were when the normalization was queued. */
  readonly rawFiles: Promise<string>;
  readonly done: Promise<NormalizedAhead | null>;
}

/**
 * Normalizes the next batch's tables while the warehouse works on the current
 * one. The local warehouse runs its steps on one DuckDB thread, so on a
 * two-core machine the normalizer (its own in-memory DuckDB, see
 * normalizeTable.ts) has a core to itself meanwhile. Normalization reads only
 * the batch's raw files and the synonyms seed and replaces that batch's silver
 * and quarantine output, so doing it early gives the same output; the
 * NormalizeTable state then takes the result instead of normalizing again, as
 * long as the batch's raw files are still the ones that were read (name, size,
 * change time): otherwise, or when the early run failed, it normalizes as usual
 * and any error is raised there, in its own state.
 */
export class NormalizeAhead {
  private readonly ahead = new Map<string, Ahead>();
  // One table at a time: the warehouse keeps the other core.
  private queue: Promise<unknown> = Promise.resolve();

  public constructor(
    private readonly lake: LocalLake,
    private readonly signal?: AbortSignal,
  ) {}

  /** Queues the normalization of these tables of a batch (the ones not queued yet). */
  public start(batchId: string, tables: readonly SourceTable[]): void {
    for (const table of tables) {
      const key = keyOf(table, batchId);
      if (this.ahead.has(key)) continue;
      // Taken before the normalization reads the files: a change after this point is caught
      // by comparing again when the result is taken.
      const rawFiles = this.rawFilesOf(table, batchId);
      const done = this.queue.then(async (): Promise<NormalizedAhead | null> => {
        if (this.signal?.aborted === true) return null;
        const t0 = performance.now();
        try {
          const manifest = await normalizeTable(this.lake, { table, batchId });
          return { manifest, ms: performance.now() - t0 };
        } catch {
          return null;
        }
      });
      this.queue = done;
      this.ahead.set(key, { rawFiles, done });
    }
  }

  /**
   * The early normalization of a table and batch, once it has finished, when
   * its raw files are unchanged since it was queued; null when there is none
   * (or it failed, or the files changed): normalize now.
   */
  public async take(table: SourceTable, batchId: string): Promise<NormalizedAhead | null> {
    const key = keyOf(table, batchId);
    const entry = this.ahead.get(key);
    if (entry === undefined) return null;
    this.ahead.delete(key);
    const [result, before] = await Promise.all([entry.done, entry.rawFiles.catch(() => null)]);
    if (result === null || before === null) return null;
    const now = await this.rawFilesOf(table, batchId).catch(() => null);
    return now === before ? result : null;
  }

  /** Waits until no early normalization is running (at the end of a run, before it reports). */
  public async settle(): Promise<void> {
    await this.queue;
  }

  // Name, size, change times and inode of each file: a file rewritten or replaced shows in one of them.
  private async rawFilesOf(table: SourceTable, batchId: string): Promise<string> {
    const files = await this.lake.listRawFiles(table, batchId);
    return files
      .map((file) => {
        const stat = statSync(this.lake.resolve(file.path));
        return `${file.path}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
      })
      .join('\n');
  }
}

function keyOf(table: SourceTable, batchId: string): string {
  return `${table}/${batchId}`;
}
