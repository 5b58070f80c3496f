import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { queryDuckDb, tempDir } from './helpers/tempLake.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** bin/precompiled.js's answer for a repository root, asked the way bin/ecomdw.js asks (plain Node, no tsx). */
function currentBundle(root: string): string {
  const code = `const { currentBundle } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'bin', 'precompiled.js')).href)}); console.log(String(currentBundle(${JSON.stringify(root)})));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).trim();
}

describe('The precompiled CLI (npm ci builds it: scripts/build-cli.mjs)', () => {
  // Inside the repository, as dist/cli is: its packages resolve from node_modules.
  const out = path.join(ROOT, 'dist', `cli-test-${process.pid}`);
  let dir: string;
  let cleanup: () => void;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs'), out], { cwd: ROOT, encoding: 'utf8' });
  }, 60_000);
  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
    cleanup();
  });

  it('generates and runs a lake without tsx: the SQL, the generator SQL and the ASL resolve from the repository', () => {
    // Prepare
    const lake = path.join(dir, 'lake');
    const db = path.join(dir, 'warehouse.duckdb');
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(out, 'ecomdw.mjs')).href)}); process.exitCode = await main(process.argv.slice(1));`, ...args],
        { cwd: dir, encoding: 'utf8' },
      );
    // Act
    const generated = cli('generate', '--out', lake, '--scale', '0.01', '--days', '2', '--start', '2024-02-01');
    const ran = cli('run', '--lake', lake, '--db', db);
    // Assess
    expect(generated.status, generated.stderr).toBe(0);
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stderr).toMatch(/batch 2024-02-02 done/);
    return queryDuckDb(db, `select count(*) as n from audit.batches where status = 'done'`).then((rows) => expect(rows).toEqual([{ n: '2' }]));
  }, 60_000);

  it('starts without loading the Lambda-only packages (Powertools, the AWS SDK) or the local Step Functions runner: every command pays for what the bundle imports statically', () => {
    // Prepare
    const bundle = readFileSync(path.join(out, 'ecomdw.mjs'), 'utf8');
    // Act: the packages of the bundle's static imports, which Node loads before any command runs
    const imported = [...bundle.matchAll(/^import\s(?:[^;]*?\sfrom\s+)?"([^"]+)";?$/gm)].map((match) => match[1] as string);
    const packages = [...new Set(imported.filter((name) => !name.startsWith('node:')))].sort();
    // Assess
    expect(packages).toContain('@duckdb/node-api');
    expect(packages.filter((name) => name.startsWith('@aws-lambda-powertools/') || name.startsWith('@aws-sdk/'))).toEqual([]);
    // only `run` and `demo` need it, and it loads the AWS SDK's Lambda client
    expect(packages).not.toContain('aws-local-stepfunctions');
  });

  it('is run only while every source file it was built from is unchanged', () => {
    // Prepare: a repository with one source file and the hash the build recorded for it
    const root = path.join(dir, 'repo');
    mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(path.join(root, 'main.ts'), 'export const a = 1;\n');
    const sha256 = createHash('sha256').update('export const a = 1;\n').digest('hex');
    writeFileSync(path.join(root, 'dist', 'cli', 'inputs.json'), JSON.stringify({ inputs: [{ file: 'main.ts', sha256 }] }));
    // Act
    const unchanged = currentBundle(root);
    writeFileSync(path.join(root, 'main.ts'), 'export const a = 2;\n');
    const changed = currentBundle(root);
    rmSync(path.join(root, 'main.ts'));
    const gone = currentBundle(root);
    // Assess
    expect(unchanged).toBe(path.join(root, 'dist', 'cli', 'ecomdw.mjs'));
    expect(changed).toBe('null');
    expect(gone).toBe('null');
    expect(currentBundle(path.join(dir, 'no-such-repo'))).toBe('null');
    expect(existsSync(path.join(out, 'inputs.json'))).toBe(true);
  });
});
