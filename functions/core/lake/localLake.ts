import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { isSourceTable, type SourceTable } from '../contract.js';
import { LakeError } from '../errors.js';
import type { Lake, RawFile, RawObject } from './lake.js';
import { batchPrefix, MANIFEST_FILE, parseBatchFolder } from './layout.js';
import type { NormalizeManifest } from './manifest.js';

/** The lake as a folder on disk. */
export class LocalLake implements Lake {
  public constructor(public readonly location: string) {}

  /** Absolute path of a lake-relative path. */
  public resolve(relativePath: string): string {
    return path.join(this.location, relativePath);
  }

  public async listRawBatches(): Promise<Map<string, SourceTable[]>> {
    const raw = this.resolve('raw');
    if (!existsSync(this.location)) throw new LakeError(`lake folder not found: ${this.location}`);
    if (!existsSync(raw)) throw new LakeError(`no raw/ folder in the lake ${this.location} (expected raw/<table>/batch_id=<id>/...)`);
    const batches = new Map<string, SourceTable[]>();
    for (const table of subfolders(raw)) {
      if (!isSourceTable(table)) continue;
      for (const folder of subfolders(path.join(raw, table))) {
        const batchId = parseBatchFolder(folder);
        if (batchId === null) continue;
        if (readdirSync(path.join(raw, table, folder)).length === 0) continue;
        const tables = batches.get(batchId) ?? [];
        tables.push(table);
        batches.set(batchId, tables);
      }
    }
    return batches;
  }

  public async listRawFiles(table: SourceTable, batchId: string): Promise<RawFile[]> {
    const prefix = batchPrefix('raw', table, batchId);
    const folder = this.resolve(prefix);
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((name) => !name.startsWith('.') && !name.startsWith('_') && statSync(path.join(folder, name)).isFile())
      .sort()
      .map((name) => ({ path: `${prefix}/${name}`, name }));
  }

  /**
   * Removes the `<folder>.tmp-<pid>` folders that a normalization killed
   * mid-write left in silver/ and quarantine/ (the normalizer writes there and
   * swaps the folder in when done). Only folders whose process is gone: another
   * process may be normalizing into the same lake, for this warehouse (it would
   * hold the warehouse, and this run stop at it) or another one. A process id
   * reused since is taken for alive: the folder waits for a later run.
   * Returns the lake-relative paths it removed.
   */
  public removeAbandonedOutputs(): string[] {
    const removed: string[] = [];
    for (const zone of ['silver', 'quarantine'] as const) {
      const root = this.resolve(zone);
      if (!existsSync(root)) continue;
      for (const table of subfolders(root)) {
        for (const folder of subfolders(path.join(root, table))) {
          const pid = Number(/\.tmp-(\d+)$/.exec(folder)?.[1] ?? Number.NaN);
          if (!Number.isSafeInteger(pid) || isAlive(pid)) continue;
          rmSync(path.join(root, table, folder), { recursive: true, force: true });
          removed.push(`${zone}/${table}/${folder}`);
        }
      }
    }
    return removed;
  }

  public async listRawObjects(): Promise<RawObject[]> {
    const raw = this.resolve('raw');
    if (!existsSync(raw)) return [];
    const objects: RawObject[] = [];
    const walk = (relative: string): void => {
      for (const entry of readdirSync(this.resolve(relative), { withFileTypes: true })) {
        const child = `${relative}/${entry.name}`;
        if (entry.isDirectory()) walk(child);
        else if (entry.isFile()) {
          const stat = statSync(this.resolve(child));
          objects.push({ path: child, size: stat.size, changeToken: `${stat.size}:${stat.mtimeMs}` });
        }
      }
    };
    walk('raw');
    return objects.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  public async hashObject(relativePath: string): Promise<string> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(this.resolve(relativePath))) hash.update(chunk as Buffer);
    } catch (error) {
      throw new LakeError(`cannot read ${this.resolve(relativePath)}: ${(error as Error).message}`, { cause: error });
    }
    return hash.digest('hex');
  }

  /** Removes one table's silver and quarantine output of a batch (a batch re-run without that table). */
  public removeBatchOutputs(table: SourceTable, batchId: string): void {
    for (const zone of ['silver', 'quarantine'] as const) rmSync(this.resolve(batchPrefix(zone, table, batchId)), { recursive: true, force: true });
  }

  public async readManifest(table: SourceTable, batchId: string): Promise<NormalizeManifest | null> {
    const file = this.resolve(`${batchPrefix('silver', table, batchId)}/${MANIFEST_FILE}`);
    if (!existsSync(file)) return null;
    return JSON.parse(readFileSync(file, 'utf8')) as NormalizeManifest;
  }
}

// Signal 0 checks that a process exists without touching it; EPERM means it
// exists but belongs to someone else.
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function subfolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
