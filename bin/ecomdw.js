#!/usr/bin/env node
// The `ecomdw` command (and `npm start`, `npm run ecomdw`). Runs the precompiled
// CLI that `npm ci` built (scripts/build-cli.mjs) while every source file it was
// built from is unchanged; otherwise, or without one, the TypeScript through
// tsx's loader, which costs ~0.4 s more to start.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentBundle } from './precompiled.js';

const bundle = currentBundle(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
let main;
if (bundle !== null) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
