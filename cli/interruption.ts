import { signalExitCode } from './exitCodes.js';

/** Ctrl-C or SIGTERM while a command works: what it received, as an AbortSignal the work listens to. */
export interface Interruption {
  readonly signal: AbortSignal;
  /** The signal received, or null. */
  readonly received: () => NodeJS.Signals | null;
  /** Stops listening (the default handling, exit at once, is back). */
  readonly dispose: () => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Signals closer together than this are one interruption. */
const REPEAT_WINDOW_MS = 1000;

/**
 * Listens for Ctrl-C and SIGTERM for the length of a command. The first one
 * aborts the signal: the work stops at the next statement or step (the running
 * transaction rolls back, the batch is marked failed) and the command ends with
 * one line and exit code 130/143. A second one (a second later or more) exits
 * at once: DuckDB's write-ahead log keeps the warehouse consistent, and the next
 * run redoes the batch.
 */
export function listenForInterruption(): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  let receivedAt = 0;
  const handler = (signal: NodeJS.Signals): void => {
    if (received !== null) {
      // Ctrl-C under `npm run` arrives twice at once (the terminal signals the whole
      // process group, and npm forwards it again): that is one interruption.
      if (Date.now() - receivedAt < REPEAT_WINDOW_MS) return;
      process.stderr.write(`ecomdw: interrupted again by ${signal}: exiting now; the next run picks the batch up again\n`);
      process.exit(signalExitCode(signal));
    }
    received = signal;
    receivedAt = Date.now();
    controller.abort(signal);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}
