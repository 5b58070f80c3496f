/**
 * The pipeline manifest: the steps (their Task state names in
 * statemachine/pipeline.asl.json, their Lambda handlers and the metrics they
 * report) and the SQL files each warehouse step runs, in order. The steps run
 * them; the handlers, lineage, infra, the profiler and the tests read them from
 * here, so shared code never imports a step to learn what it runs, and no step
 * name is derived from another by changing its case.
 */

/** The duration metric every step reports, besides its own figures. */
export const STEP_DURATION_METRIC = 'StepDuration';

/** One Lambda-backed Task state of the pipeline. */
export interface PipelineStepEntry {
  /** The Task state's name in the ASL: also the `step` of its metrics and logs. */
  readonly state: string;
  /** Its Lambda handler: functions/handlers/<handler>.ts, the deployed function's and log group's name. */
  readonly handler: string;
  /** The ASL's placeholder for its function ARN (`\${<placeholder>}`), substituted at deploy time. */
  readonly functionArnPlaceholder: string;
  /** The figures it reports (its StepDuration aside), recorded in audit.metrics and emitted to CloudWatch. */
  readonly metrics: readonly string[];
}

/** The Lambda-backed Task states, in pipeline order. */
export const PIPELINE_STEP_MANIFEST = [
  { state: 'DiscoverBatch', handler: 'discoverBatch', functionArnPlaceholder: 'DiscoverBatchFunctionArn', metrics: ['ChangedDoneBatches', 'StrayRawFiles'] },
  { state: 'LoadStaging', handler: 'loadStaging', functionArnPlaceholder: 'LoadStagingFunctionArn', metrics: ['RowsIngested', 'RowsQuarantined'] },
  { state: 'BuildDimensions', handler: 'buildDimensions', functionArnPlaceholder: 'BuildDimensionsFunctionArn', metrics: ['VersionsCreated'] },
  { state: 'BuildFacts', handler: 'buildFacts', functionArnPlaceholder: 'BuildFactsFunctionArn', metrics: ['FactRowsUpserted'] },
  {
    state: 'BuildMarts',
    handler: 'buildMarts',
    functionArnPlaceholder: 'BuildMartsFunctionArn',
    metrics: ['KnownVersionsOpened', 'KnownVersionsClosed', 'Restatements'],
  },
  { state: 'ValidateBatch', handler: 'validateBatch', functionArnPlaceholder: 'ValidateBatchFunctionArn', metrics: ['TestsFailed', 'TestsWarned'] },
  { state: 'MarkBatchDone', handler: 'markBatchDone', functionArnPlaceholder: 'MarkBatchDoneFunctionArn', metrics: [] },
  { state: 'RecordFailure', handler: 'recordFailure', functionArnPlaceholder: 'RecordFailureFunctionArn', metrics: [] },
] as const satisfies readonly PipelineStepEntry[];

/** The state name of a Lambda-backed step. */
export type PipelineStepName = (typeof PIPELINE_STEP_MANIFEST)[number]['state'];
/** The handler name of a Lambda-backed step. */
export type PipelineHandlerName = (typeof PIPELINE_STEP_MANIFEST)[number]['handler'];

/** The state names of the Lambda-backed steps, in pipeline order. */
export const PIPELINE_STEP_NAMES: readonly PipelineStepName[] = PIPELINE_STEP_MANIFEST.map((step) => step.state);
/** The handler names, in pipeline order. */
export const PIPELINE_HANDLER_NAMES: readonly PipelineHandlerName[] = PIPELINE_STEP_MANIFEST.map((step) => step.handler);

/** The Glue-backed Task state (inside the NormalizeTables Map): locally, the DuckDB normalizer. */
export const NORMALIZE_STEP = 'NormalizeTable';

/** The manifest entry of a step, by its state name. */
export function stepEntry(state: PipelineStepName): (typeof PIPELINE_STEP_MANIFEST)[number] {
  const entry = PIPELINE_STEP_MANIFEST.find((step) => step.state === state);
  if (entry === undefined) throw new TypeError(`no pipeline step '${String(state)}' in the manifest`);
  return entry;
}

/** The manifest entry of a step, by its handler name. */
export function handlerEntry(handler: PipelineHandlerName): (typeof PIPELINE_STEP_MANIFEST)[number] {
  const entry = PIPELINE_STEP_MANIFEST.find((step) => step.handler === handler);
  if (entry === undefined) throw new TypeError(`no pipeline handler '${String(handler)}' in the manifest`);
  return entry;
}

/** The SQL files of step 4, in order. */
export const DIMENSION_FILES = [
  'dimensions/dim_customers.sql',
  'dimensions/dim_products.sql',
  'dimensions/dim_vocabulary.sql',
] as const;

/** The query that returns step 4's figures (VersionsCreated per dimension), run after its transaction. */
export const DIMENSION_FIGURES_FILE = 'dimensions/dimension_metrics.sql';

/** The SQL files of step 5, in order: latest records first, then the facts they feed. */
export const FACT_FILES = [
  'history/orders.sql',
  'history/order_items.sql',
  'history/payments.sql',
  'history/shipments.sql',
  'history/waiting_rows.sql',
  'facts/affected_orders.sql',
  'facts/fact_order_items.sql',
  'facts/fact_payments.sql',
] as const;

/**
 * The order lifecycle fact and the dim_date rows for the days the batch's facts
 * carry: a second transaction (the Data API caps one at 40 statements), idempotent
 * and read from durable state (history.batch_affected_orders), so a crash between
 * the two is repaired by running the step again.
 */
export const FACT_DAY_FILES = ['facts/fact_order_fulfillment.sql', 'facts/fact_days.sql', 'dimensions/dim_date.sql'] as const;

/** The query that returns step 5's figures (FactRowsUpserted per fact), run after its transactions. */
export const FACT_FIGURES_FILE = 'facts/fact_metrics.sql';

/**
 * The SQL files of the BuildMarts step, in order: the versions the batch changed
 * (dimensions, then facts), then the published figures and restatements that
 * read them, then the load's own record (it counts what the others wrote).
 * known/orders.sql comes before the items and payments: it leaves the orders
 * whose items may have moved (tmp_known_item_scope), the only ones they re-derive.
 */
export const MART_FILES = [
  'known/customers.sql',
  'known/products.sql',
  'known/orders.sql',
  'known/order_items.sql',
  'known/payments.sql',
  'known/daily_figures.sql',
  'known/load.sql',
] as const;

/**
 * The BI marts (schema mart): views over the current rows of known.*, replaced
 * by every bootstrap so that a new release's definitions take effect.
 */
export const MART_VIEWS = [
  'marts/sales.sql',
  'marts/orders.sql',
  'marts/revenue_daily.sql',
  'marts/product_profitability.sql',
  'marts/customer_lifetime_value.sql',
  'marts/customer_cohorts.sql',
  'marts/fulfillment_daily.sql',
  'marts/basket_daily.sql',
] as const;
