import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';

/** How the local runner checks the ASL before running it (asl-validator's checks). */
export const ASL_VALIDATION = { checkArn: true, checkPaths: true } as const;

interface Checked {
  readonly text: string;
  readonly valid: Promise<boolean>;
}

let ahead: Checked | undefined;

type StepFunctionsLibrary = typeof import('aws-local-stepfunctions');
let library: Promise<StepFunctionsLibrary> | undefined;

/**
 * aws-local-stepfunctions, loaded on first use: with the AWS SDK client it
 * brings, ~0.2 s of every CLI start that does not run the pipeline (report, sql, --help).
 */
export function stepFunctionsLibrary(): Promise<StepFunctionsLibrary> {
  library ??= import('aws-local-stepfunctions');
  return library;
}

/**
 * Starts checking the ASL file on a worker thread, for a caller with other work
 * to do first (the demo generates its lake): asl-validator compiles its JSON
 * schemas on every check, ~0.35 s of CPU that would otherwise hold up the
 * run's start. The state machine is then built from the same text.
 */
export function checkStateMachineAhead(file: string): void {
  if (ahead !== undefined) return;
  // loaded meanwhile too; a failure surfaces where the state machine is built
  stepFunctionsLibrary().catch(() => undefined);
  const text = readFileSync(file, 'utf8');
  ahead = { text, valid: checkOnWorker(text) };
}

/**
 * The state machine of an ASL file, checked (ASL_VALIDATION): without a check
 * started ahead, or when it did not pass or could not run, it is checked here,
 * and an invalid definition throws as the constructor always did.
 */
export async function checkedStateMachine(file: string): Promise<StateMachine> {
  const started = ahead;
  ahead = undefined;
  const text = started?.text ?? readFileSync(file, 'utf8');
  const definition = JSON.parse(text) as StateMachineDefinition;
  const valid = started === undefined ? false : await started.valid;
  const { StateMachine } = await stepFunctionsLibrary();
  return new StateMachine(definition, { validationOptions: valid ? { noValidate: true } : ASL_VALIDATION });
}

// Plain JavaScript on a bare worker (no tsx loader: it would cost more than the check), true when the
// definition passes; false when it does not, or the worker fails in any way.
function checkOnWorker(text: string): Promise<boolean> {
  const library = createRequire(import.meta.url).resolve('aws-local-stepfunctions');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    try {
      const { StateMachine } = require(workerData.library);
      new StateMachine(JSON.parse(workerData.text), { validationOptions: workerData.options });
      parentPort.postMessage(true);
    } catch {
      parentPort.postMessage(false);
    }`;
  return new Promise((resolve) => {
    try {
      const worker = new Worker(code, { eval: true, execArgv: [], workerData: { library, text, options: ASL_VALIDATION } });
      worker.once('message', (valid: unknown) => resolve(valid === true));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    } catch {
      resolve(false);
    }
  });
}
