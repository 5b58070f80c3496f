/** One figure a step produced, recorded in audit.metrics and emitted as a CloudWatch metric. */
export interface StepMetric {
  readonly name: string;
  readonly value: number;
  readonly unit: 'Count' | 'Milliseconds';
  readonly table?: string;
}
