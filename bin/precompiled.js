// Which precompiled CLI (scripts/build-cli.mjs) may run: the one whose source
// files are all unchanged since it was built.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Where `npm ci` builds the precompiled CLI, relative to the repository. */
export const PRECOMPILED_DIR = path.join('dist', 'cli');

/**
 * The bundle in `<root>/<dir>` when every source file listed in its inputs.json
 * still has the content it was built from; null when one changed or is gone, or
 * there is no bundle. Content, not modification times: a checkout or a copy can
 * keep an older time on a changed file.
 */
export function currentBundle(root, dir = PRECOMPILED_DIR) {
  try {
    const { inputs } = JSON.parse(readFileSync(path.join(root, dir, 'inputs.json'), 'utf8'));
    const unchanged =
      Array.isArray(inputs) &&
      inputs.length > 0 &&
      inputs.every(({ file, sha256 }) => createHash('sha256').update(readFileSync(path.join(root, file))).digest('hex') === sha256);
    return unchanged ? path.join(root, dir, 'ecomdw.mjs') : null;
  } catch {
    return null;
  }
}
