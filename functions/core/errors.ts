/**
 * Every failure the pipeline reports on purpose. Names are stable: Step
 * Functions Retry/Catch match them (`ErrorEquals`), the CLI maps them to one
 * line and an exit code.
 */

/** Base of every ecomdw error; each is either a UsageError or a PipelineError. */
export class EcomdwError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EcomdwError';
  }
}

/** Bad usage or environment, found before any work is done (CLI exit code 2). */
export class UsageError extends EcomdwError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** The pipeline ran and failed: a step, a statement, a data test (CLI exit code 1; a Lambda failure; a Step Functions Catch). */
export class PipelineError extends EcomdwError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PipelineError';
  }
}

/** A flag, environment variable or stack setting has a bad value. */
export class ConfigError extends UsageError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** The lake folder or bucket is missing, empty or laid out wrongly. */
export class LakeError extends UsageError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LakeError';
  }
}

/** A batch id that does not match `^[0-9A-Za-z_.-]{1,64}$`, or an unknown batch. */
export class BatchError extends UsageError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BatchError';
  }
}

/** The warehouse is held by another process. */
export class WarehouseLockedError extends UsageError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WarehouseLockedError';
  }
}

/** A statement failed inside the warehouse; carries the statement. */
export class WarehouseStatementError extends PipelineError {
  public readonly statement: string;
  public constructor(message: string, statement: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WarehouseStatementError';
    this.statement = statement;
  }
}

/** Another execution holds the pipeline lease: this one stops before touching the warehouse. */
export class PipelineBusyError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PipelineBusyError';
  }
}

/** The warehouse did not answer in time (Redshift Data API polling). */
export class WarehouseTimeoutError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WarehouseTimeoutError';
  }
}

/** The warehouse is busy or throttling: worth a retry. */
export class WarehouseThrottledError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WarehouseThrottledError';
  }
}

/** Normalization of one table could not run at all (not a bad row: those go to quarantine). */
export class NormalizationError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NormalizationError';
  }
}

/** A figure a failing step still reports (e.g. TestsFailed), emitted as a metric before the step fails. */
export interface FailureMetric {
  readonly name: string;
  readonly value: number;
  readonly unit: 'Count';
}

/** An error-severity data-quality test failed: the batch must not be marked done. */
export class DataQualityError extends PipelineError {
  public readonly failedTests: readonly string[];
  /** TestsFailed / TestsWarned of the run: the validation-errors alarm watches them. */
  public readonly metrics: readonly FailureMetric[];
  public constructor(message: string, failedTests: readonly string[], options?: ErrorOptions & { metrics?: readonly FailureMetric[] }) {
    super(message, options);
    this.name = 'DataQualityError';
    this.failedTests = failedTests;
    this.metrics = options?.metrics ?? [];
  }
}

/** A SQL file is missing or uses a macro the dialect does not define. */
export class SqlTemplateError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SqlTemplateError';
  }
}

/** The warehouse file a read-only command was given does not exist (nothing is created). */
export class WarehouseNotFoundError extends UsageError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WarehouseNotFoundError';
  }
}

/** The warehouse cannot be opened: not a database, no permission, no space. */
export class WarehouseOpenError extends UsageError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WarehouseOpenError';
  }
}

/** The run was stopped by a signal (Ctrl-C, SIGTERM): the running step rolled back, the batch marked failed. */
export class InterruptedError extends PipelineError {
  public readonly signal: NodeJS.Signals;
  public constructor(signal: NodeJS.Signals, detail?: string, options?: ErrorOptions) {
    super(`interrupted by ${signal}${detail ? `: ${detail}` : ''}`, options);
    this.name = 'InterruptedError';
    this.signal = signal;
  }
}

/** A Pulumi stack configuration that cannot be deployed; the message names every bad key. */
export class StackConfigError extends ConfigError {
  public readonly problems: readonly string[];

  public constructor(problems: readonly string[]) {
    super(`invalid stack configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'StackConfigError';
    this.problems = problems;
  }
}
