import { PipelineError, UsageError } from '../../functions/core/errors.js';

/** The --from folder, one of its CSV files or one of their columns is missing or unreadable: nothing was written. */
export class OlistSourceError extends UsageError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OlistSourceError';
  }
}

/** Values the mapping depends on (keys, timestamps) are missing, unparseable or duplicated: nothing was written. */
export class OlistDataError extends PipelineError {
  /** Total number of problems found (the message lists the first few). */
  public readonly problemCount: number;
  public constructor(message: string, problemCount: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OlistDataError';
    this.problemCount = problemCount;
  }
}
