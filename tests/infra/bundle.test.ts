import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, bundleHandlers, type BundledHandler } from '../../infra/bundle.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PROBE = path.join(REPO, 'tests/infra/fixtures/handlers/probe.ts');
const REAL_HANDLER = path.join(REPO, 'functions/handlers/discoverBatch.ts');

describe('Bundling Lambda handlers', () => {
  let bundles: Record<string, BundledHandler>;
  let dir: string;

  beforeAll(() => {
    // Act: one esbuild pass for two entry points
    bundles = bundleHandlers({ first: PROBE, second: PROBE }, { workingDir: REPO });
    dir = mkdtempSync(path.join(tmpdir(), 'ecomdw-bundle-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('produces one self-contained ES module per entry point, linked to its source map', () => {
    expect(Object.keys(bundles).sort()).toEqual(['first', 'second']);
    const { code, sourceMap } = bundles.first as BundledHandler;
    expect(code).toMatch(/sourceMappingURL=index\.mjs\.map\s*$/);
    expect(JSON.parse(sourceMap).version).toBe(3);
    // Bundled, not imported at run time: the runtime's SDK version is not the one package-lock.json pins.
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
  });

  it('loads in plain Node and reads SQL from ECOMDW_SQL_ROOT, laid out as in /var/task', () => {
    // Prepare: the archive as Lambda unpacks it
    const { code, sourceMap } = bundles.first as BundledHandler;
    const task = path.join(dir, 'task');
    mkdirSync(task);
    writeFileSync(path.join(task, BUNDLE_FILE), code);
    writeFileSync(path.join(task, `${BUNDLE_FILE}.map`), sourceMap);
    const script = `const m = await import(${JSON.stringify(pathToFileURL(path.join(task, BUNDLE_FILE)).href)}); console.log(JSON.stringify(await m.handler({ sqlFile: 'normalize/orders.sql' })));`;
    // Act: a separate node process, so nothing of vitest's module loader helps
    const output = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      env: { ...process.env, ECOMDW_SQL_ROOT: path.join(REPO, 'sql') },
      encoding: 'utf8',
    });
    // Assess
    expect(JSON.parse(output)).toEqual({ client: 'function', sqlLength: expect.any(Number) });
    expect(JSON.parse(output).sqlLength).toBeGreaterThan(0);
  });

  it('bundles a real handler that loads in plain Node and keeps error names', () => {
    // Prepare
    const { code, sourceMap } = bundleHandlers({ discoverBatch: REAL_HANDLER }, { workingDir: REPO }).discoverBatch as BundledHandler;
    const task = path.join(dir, 'real');
    mkdirSync(task);
    writeFileSync(path.join(task, BUNDLE_FILE), code);
    writeFileSync(path.join(task, `${BUNDLE_FILE}.map`), sourceMap);
    // No Redshift settings: the handler must fail on configuration, with its error's real name.
    const script = `const m = await import(${JSON.stringify(pathToFileURL(path.join(task, BUNDLE_FILE)).href)});
      const result = { exported: typeof m.handler };
      try { await m.handler({ request: {} }, { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 }); }
      catch (error) { result.errorName = error.name; }
      console.log('RESULT ' + JSON.stringify(result));`;
    // Act
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, ECOMDW_ENGINE: 'redshift', ECOMDW_SQL_ROOT: path.join(REPO, 'sql'), POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
      encoding: 'utf8',
    });
    // Assess
    const result = JSON.parse(output.split('\n').find((line) => line.startsWith('RESULT '))?.slice('RESULT '.length) ?? '{}');
    expect(result.exported).toBe('function');
    expect(result.errorName).toMatch(/^[A-Z][A-Za-z]+Error$/);
  });

  it('names the missing entry point', () => {
    expect(() => bundleHandlers({ ghost: path.join(REPO, 'functions/handlers/ghost.ts') }, { workingDir: REPO })).toThrow(/ghost: entry point not found/);
  });

  it('reports compile errors with their location', () => {
    // Prepare
    const broken = path.join(dir, 'broken.ts');
    writeFileSync(broken, "import { nothing } from './does-not-exist.js';\nexport const handler = nothing;\n");
    // Act / Assess
    expect(() => bundleHandlers({ broken }, { workingDir: REPO })).toThrow(/bundling the Lambda handlers failed:[\s\S]*does-not-exist/);
  });
});
