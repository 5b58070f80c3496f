import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HANDLER_NAMES, type HandlerName } from './functions.js';

/** The repository root (infra/..): every path the program reads is absolute, whatever the working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The files of the repository that `pulumi up` packages and uploads. */
export interface RepoPaths {
  readonly repoRoot: string;
  readonly sqlRoot: string;
  readonly glueScript: string;
  /** The source contract and raw-file rules, uploaded for the Glue job. */
  readonly contractFile: string;
  readonly stateMachineDefinition: string;
  /** functions/handlers/<name>.ts of each pipeline step. */
  readonly handlerEntryPoints: Readonly<Record<HandlerName, string>>;
}

/** Where the program finds what it deploys (one place, so tests can point it at fixtures). */
export function repoPaths(): RepoPaths {
  return {
    repoRoot: REPO_ROOT,
    sqlRoot: path.join(REPO_ROOT, 'sql'),
    glueScript: path.join(REPO_ROOT, 'functions/glue/normalize_job.py'),
    contractFile: path.join(REPO_ROOT, 'functions/core/contract.json'),
    stateMachineDefinition: path.join(REPO_ROOT, 'statemachine/pipeline.asl.json'),
    handlerEntryPoints: Object.fromEntries(HANDLER_NAMES.map((h) => [h, path.join(REPO_ROOT, 'functions/handlers', `${h}.ts`)])) as Record<HandlerName, string>,
  };
}
