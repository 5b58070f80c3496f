/**
 * Vega-Lite spec → Vega → SVG text, in Node, with no canvas and no network.
 */
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { ChartRenderError } from './errors.js';
import { vega, vegaLite } from './loadVega.js';

/** A chart to draw: its id names it in errors. */
export interface ChartSpec {
  readonly id: string;
  readonly spec: TopLevelSpec;
}

// Specs carry their data inline; a chart that asks for a URL or a file is a bug,
// and the report must never reach the network.
const offlineLoader = {
  ...vega.loader(),
  async load(uri: string): Promise<string> {
    throw new ChartRenderError(`a chart asked to load ${uri}: the HTML report draws inline data only`);
  },
  async sanitize(uri: string): Promise<{ href: string }> {
    throw new ChartRenderError(`a chart asked to load ${uri}: the HTML report draws inline data only`);
  },
} as unknown as Vega.Loader;

// Vega numbers gradient and clip-path ids with module-wide counters. Drawing a
// document's charts one after another from reset counters gives ids that are
// unique within the page and the same for the same document; the queue keeps
// two documents drawn at once from sharing the counters.
let queue: Promise<unknown> = Promise.resolve();

/** A drawn chart, and what Vega-Lite and Vega warned about while drawing it. */
export interface RenderedChart {
  readonly id: string;
  readonly svg: string;
  readonly warnings: readonly string[];
}

/** The SVG of each chart, in order; the same specs give the same bytes. */
export function renderSvgs(charts: readonly ChartSpec[]): Promise<RenderedChart[]> {
  const run = queue.then(async () => {
    vega.resetSVGDefIds();
    const rendered: RenderedChart[] = [];
    for (const chart of charts) rendered.push(await renderSvg(chart));
    return rendered;
  });
  queue = run.catch(() => undefined);
  return run;
}

async function renderSvg(chart: ChartSpec): Promise<RenderedChart> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  let view: Vega.View | undefined;
  try {
    const runtime = vega.parse(vegaLite.compile(chart.spec, { logger }).spec);
    view = new vega.View(runtime, { renderer: 'none', loader: offlineLoader, logger });
    return { id: chart.id, svg: await view.toSVG(), warnings };
  } catch (error) {
    if (error instanceof ChartRenderError) throw error;
    throw new ChartRenderError(`chart ${chart.id} could not be drawn: ${(error as Error).message}`, { cause: error });
  } finally {
    view?.finalize();
  }
}

// Warnings are kept for the caller (tests insist on none) instead of going to stderr.
function collectingLogger(warnings: string[]): Vega.LoggerInterface {
  return vega.logger(vega.Warn, undefined, (_method, level, args) => warnings.push(`${level} ${args.map(String).join(' ')}`));
}
