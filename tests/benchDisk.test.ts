import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fullDisk } from './helpers/faults.js';

const ROOT = path.resolve(import.meta.dirname, '..');

// A bench run writes tens of GB per scale (the warehouse is uncompressed): on a disk
// without the room it must say so before it starts, not fail on ENOSPC half an hour in.
describe('npm run bench on a disk too small for a scale', () => {
  const mount = fullDisk('ecomdw-bench-disk', 16);

  it('skips that scale before writing anything and says how much it needs; with nothing measured, it fails and keeps the last report', () => {
    // Prepare
    const work = path.join(mount, 'work');
    const out = path.join(mount, 'BENCHMARKS.md');
    writeFileSync(out, 'the last real report\n');

    // Act
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--scales', '1', '--growth-scales', '', '--no-peer', '--no-demo', '--work', work, '--out', out],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );

    // Assess
    expect(run.stderr).toMatch(/scale 1: skipped \(scale 1: needs about 2 GiB of disk in .*\/work, 0 GiB free/);
    expect(run.stderr).toMatch(/bench: no scale measured \(.*\); .*BENCHMARKS\.md left as it was/);
    expect(run.status).toBe(1);
    expect(existsSync(path.join(work, 'scale-1'))).toBe(false);
    expect(readFileSync(out, 'utf8')).toBe('the last real report\n');
  });
});
