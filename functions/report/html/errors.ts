import { PipelineError, UsageError } from '../../core/errors.js';

/** A report document the HTML renderer cannot read: not JSON, not an ecomdw report, or a charted section without the columns its chart draws. */
export class ReportDocumentError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReportDocumentError';
  }
}

/** Vega or Vega-Lite failed to draw a chart (names the chart). */
export class ChartRenderError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ChartRenderError';
  }
}
