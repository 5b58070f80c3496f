import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fullDisk } from './helpers/faults.js';

const ROOT = path.resolve(import.meta.dirname, '..');

// A bench run writes tens of GB per scale (the warehouse is uncompressed): on a disk
// without the room it must say so before it starts, not fail on ENOSPC half an hour in.
describe('npm run bench on a disk too small for a scale', () => {
  const mount = fullDisk('ecomdw-bench-disk', 16);

  it('skips that scale before writing anything, says how much it needs, and still writes its report', () => {
    // Act
    const work = path.join(mount, 'work');
    const out = path.join(mount, 'BENCHMARKS.md');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--scales', '1', '--growth-scales', '', '--no-peer', '--no-demo', '--work', work, '--out', out],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );

    // Assess
    expect(run.stderr).toMatch(/scale 1: skipped \(scale 1: needs about 2 GiB of disk in .*\/work, 0 GiB free/);
    expect(run.status).toBe(0);
    expect(existsSync(path.join(work, 'scale-1'))).toBe(false);
    expect(readFileSync(out, 'utf8')).toMatch(/Skipped: scale 1: needs about 2 GiB of disk/);
  });
});
