// Builds dist/cli/ecomdw.mjs (or <dir>/ecomdw.mjs with `node scripts/build-cli.mjs <dir>`,
// a folder inside the repository), the CLI as one precompiled module (npm's `prepare`,
// so `npm ci` sets it up), and dist/cli/inputs.json, the SHA-256 of every source
// file it was built from. bin/ecomdw.js runs the bundle only while those files are
// unchanged, and the TypeScript through tsx otherwise: starting from the bundle
// saves tsx's loader (~0.4 s of a CLI start on the 2-core machine).
// Packages stay external (resolved from node_modules at run time); SQL, seeds and
// the ASL are read from the repository at run time, never bundled. Each module's
// import.meta.url is rewritten to its own source file's URL, relative to the
// bundle, so every path a module resolves from its own location resolves as it
// does under tsx.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(root, process.argv[2] ?? path.join('dist', 'cli'));
const outfile = path.join(outDir, 'ecomdw.mjs');

try {
  const { build } = await import('esbuild');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const ownUrl = {
    name: 'own-import-meta-url',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, (args) => {
        const relative = path.relative(outDir, args.path).split(path.sep).join('/');
        const text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`);
        return { contents: text, loader: 'ts' };
      });
    },
  };
  const result = await build({
    entryPoints: [path.join(root, 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    metafile: true,
    logLevel: 'warning',
    plugins: [ownUrl],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => path.resolve(root, input))
    .sort()
    .map((file) => ({ file: path.relative(root, file).split(path.sep).join('/'), sha256: createHash('sha256').update(readFileSync(file)).digest('hex') }));
  writeFileSync(path.join(outDir, 'inputs.json'), `${JSON.stringify({ inputs }, null, 2)}\n`);
  process.stdout.write(`built ${path.relative(root, outfile)} from ${inputs.length} source files\n`);
} catch (error) {
  // The CLI runs without it (through tsx): a failed build must not fail the install.
  rmSync(outDir, { recursive: true, force: true });
  process.stderr.write(`build-cli: no precompiled CLI (${error instanceof Error ? error.message : String(error)}); the CLI runs through tsx\n`);
}
