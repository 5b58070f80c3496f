import { constants } from 'node:os';
import { type EcomdwError, InterruptedError, UsageError } from '../functions/core/errors.js';

/**
 * Exit codes: 1 = the pipeline ran and failed (a step, a warehouse statement,
 * an error-severity test); 2 = bad usage or environment, found before any work;
 * 128 + the signal's number when stopped by one (130 Ctrl-C, 143 SIGTERM).
 */
export const EXIT = { failed: 1, usage: 2 } as const;

/** The exit code of a command that ended with this error. */
export function exitCodeOf(error: EcomdwError): number {
  if (error instanceof InterruptedError) return signalExitCode(error.signal);
  return error instanceof UsageError ? EXIT.usage : EXIT.failed;
}

/** 128 + the signal's number, as shells report a process a signal ended. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
