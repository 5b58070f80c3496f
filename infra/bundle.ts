import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildSync, type BuildFailure } from 'esbuild';

/** One Lambda handler bundled into a single ES module plus its source map. */
export interface BundledHandler {
  /** index.mjs */
  readonly code: string;
  /** index.mjs.map (the code links to it; NODE_OPTIONS=--enable-source-maps uses it for stack traces). */
  readonly sourceMap: string;
}

/** How to bundle. */
export interface BundleOptions {
  /** Root the source map paths are relative to (the repository). */
  readonly workingDir: string;
  /** Packages left out of the bundle (resolved from the Lambda runtime instead). */
  readonly external?: readonly string[];
}

/** The file name Lambda loads; `index.handler` is the handler setting. */
export const BUNDLE_FILE = 'index.mjs';

// ESM output, because the code is ESM and reads import.meta.url (a CommonJS bundle would leave it empty).
// Bundled CommonJS dependencies may still call require() for Node built-ins: give them one.
const REQUIRE_SHIM =
  "import { createRequire as __ecomdwCreateRequire } from 'node:module'; const require = __ecomdwCreateRequire(import.meta.url);";

/**
 * Bundles Lambda entry points (name -> source file) with esbuild in one pass:
 * platform node, target node20, ESM, minified with names kept (Step Functions
 * matches errors by name). The AWS SDK is bundled too unless made external:
 * the runtime's copy is a version AWS picks, not the one package-lock.json pins.
 */
export function bundleHandlers(entryPoints: Readonly<Record<string, string>>, options: BundleOptions): Record<string, BundledHandler> {
  const names = Object.keys(entryPoints);
  if (names.length === 0) throw new Error('no Lambda entry points to bundle');
  for (const [name, file] of Object.entries(entryPoints)) {
    if (!existsSync(file)) throw new Error(`Lambda handler ${name}: entry point not found: ${file}`);
  }
  const outdir = path.join(options.workingDir, '.lambda-bundles');
  let result;
  try {
    result = buildSync({
      entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([name, file]) => [`${name}/index`, file])),
      outdir,
      outExtension: { '.js': '.mjs' },
      absWorkingDir: options.workingDir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      minify: true,
      keepNames: true,
      sourcemap: 'linked',
      sourcesContent: false,
      legalComments: 'none',
      banner: { js: REQUIRE_SHIM },
      external: [...(options.external ?? [])],
      // Nothing touches the disk: Pulumi archives the strings.
      write: false,
      logLevel: 'silent',
    });
  } catch (error) {
    const failure = error as BuildFailure;
    const details = failure.errors?.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('\n  ');
    throw new Error(`bundling the Lambda handlers failed:\n  ${details || failure.message}`, { cause: error });
  }
  const byPath = new Map(result.outputFiles.map((file) => [file.path, file.text]));
  return Object.fromEntries(
    names.map((name) => {
      const code = byPath.get(path.join(outdir, name, BUNDLE_FILE));
      const sourceMap = byPath.get(path.join(outdir, name, `${BUNDLE_FILE}.map`));
      if (code === undefined || sourceMap === undefined) throw new Error(`esbuild produced no bundle for Lambda handler ${name}`);
      return [name, { code, sourceMap }];
    }),
  );
}
