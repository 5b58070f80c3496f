#!/usr/bin/env node
// The `ecomdw` command (and `npm start`, `npm run ecomdw`). Runs the precompiled
// CLI that `npm ci` built (scripts/build-cli.mjs) while every source file it was
// built from is unchanged; otherwise, or without one, the TypeScript through
// tsx's loader, which costs ~0.4 s more to start.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentBundle } from './precompiled.js';

const bundle = currentBundle(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
let cli;
if (bundle !== null) {
  cli = await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../cli/main.ts');
}
cli.dropOutputOnClosedPipe();
process.exitCode = await cli.main(process.argv.slice(2));
