/**
 * Vega and Vega-Lite, loaded from the single-file builds their packages ship
 * (`vega/build/vega.js`, `vega-lite/build/vega-lite.min.js`) instead of their
 * ES module graphs. Why: the CLI runs under tsx, whose loader hooks every module;
 * the two ES module graphs (vega's 60-odd packages) cost ~0.6 s of CPU to load
 * that way, the two files ~0.1 s, and the report has a 2 s budget. Same
 * versions, same code: the files are what the packages build for browsers.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as VegaModule from 'vega';
import type * as VegaLiteModule from 'vega-lite';
import { ChartRenderError } from './errors.js';

const require = createRequire(import.meta.url);

function buildFile(pkg: string, file: string): string {
  // The packages' exports hide build/, so the file is found beside the entry point.
  const found = path.join(path.dirname(require.resolve(pkg)), file);
  try {
    return readFileSync(found, 'utf8');
  } catch (error) {
    throw new ChartRenderError(`${pkg}'s single-file build ${found} is missing: reinstall with npm ci`, { cause: error });
  }
}

function loadUmd(code: string, file: string, dependencies: Readonly<Record<string, unknown>>): unknown {
  const module = { exports: {} as Record<string, unknown> };
  const requireDependency = (id: string): unknown => {
    if (id in dependencies) return dependencies[id];
    throw new ChartRenderError(`${file} asked for ${id}, which the HTML report does not provide`);
  };
  // A UMD file's CommonJS branch: it fills `exports`; `this` is unused.
  new Function('exports', 'require', 'module', code)(module.exports, requireDependency, module);
  return module.exports;
}

/** The vega runtime (View, parse, resetSVGDefIds, logger, ...). */
export const vega = loadUmd(buildFile('vega', 'vega.js'), 'vega.js', {}) as typeof VegaModule;
/** Vega-Lite's compile, on the same vega. */
export const vegaLite = loadUmd(buildFile('vega-lite', 'vega-lite.min.js'), 'vega-lite.min.js', { vega }) as typeof VegaLiteModule;
