import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { buildReport } from '../../functions/report/buildReport.js';
import { reportRequest, type ReportFlags } from '../../functions/report/request.js';
import { SECTION_IDS, type Report } from '../../functions/report/types.js';
import { DuckDbEngine } from '../../functions/core/engine/duckdbEngine.js';
import { ConfigError } from '../../functions/core/errors.js';
import type { EcomdwConfig } from '../../functions/core/config.js';
import { MEMORY_LIMIT_HELP, type ConfigOf } from '../options.js';
import { progress } from '../output.js';
import { formatReport, REPORT_FORMATS, type ReportFormat } from '../reportFormat.js';

export interface ReportCommandFlags extends ReportFlags {
  format?: string;
  out?: string;
  json?: boolean;
}

/** Builds the report from the warehouse and writes it to stdout or --out; returns it. */
export async function reportCommand(flags: ReportCommandFlags, config: Pick<EcomdwConfig, 'db' | 'memoryLimit' | 'traceSql'>): Promise<Report> {
  const format = formatOf(flags);
  const request = reportRequest(flags);
  if (!existsSync(config.db)) throw new ConfigError(`no warehouse at ${config.db}: run \`ecomdw run\` first, or give --db (env ECOMDW_DB)`);
  const engine = await DuckDbEngine.open({ path: config.db, lakeRoot: path.dirname(config.db), memoryLimit: config.memoryLimit, traceSql: config.traceSql });
  let report: Report;
  try {
    report = await buildReport(engine, request);
  } finally {
    await engine.close();
  }
  await writeReport(report, format, flags.out);
  return report;
}

/** Writes a built report in `format` to stdout, or to the file `out`. */
export async function writeReport(report: Report, format: ReportFormat, out?: string): Promise<void> {
  const text = await formatReport(report, format);
  if (out === undefined) {
    process.stdout.write(text);
  } else {
    const file = path.resolve(out);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    progress(`report as of batch ${report.asOf.batchId} (load ${report.asOf.loadSeq}) written to ${file}`);
  }
}

function formatOf(flags: ReportCommandFlags): ReportFormat {
  if (flags.json === true) {
    if (flags.format !== undefined && flags.format !== 'json') throw new ConfigError(`--json and --format ${flags.format} disagree: give one`);
    return 'json';
  }
  const format = (flags.format ?? 'table') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new ConfigError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got '${flags.format}'`);
  return format;
}

/** Registers `ecomdw report`. */
export function registerReport(program: Command, configOf: ConfigOf): void {
  program
    .command('report')
    .description(
      'revenue and margin trend, payment channels, categories, geography and segments, cohorts, fulfillment, basket, restatements ' +
        'and data health, as the warehouse stood after its latest load (or, with --known-at, after any earlier one)',
    )
    .option('--db <file>', 'warehouse DuckDB file (env ECOMDW_DB)')
    .option('--from <date>', 'first order date, YYYY-MM-DD (default: the first known)')
    .option('--to <date>', 'last order date, YYYY-MM-DD (default: the last known)')
    .addOption(new Option('--grain <grain>', 'period of the trend rows (default: day up to 62 days, week up to a year, month beyond)').choices(['day', 'week', 'month']))
    .option('--attribution <how>', 'which customer and product version a sale counts under: purchase (valid at the order), current, or as-of:YYYY-MM-DD', 'purchase')
    .option('--known-at <batch>', 'the report exactly as it was right after this batch was loaded (a batch id, or a run id)')
    .option('--changes-since <batch>', 'list the published figures that moved since this batch was loaded, and why (default: since the load before)')
    .option('--section <ids>', `only these sections, comma-separated: ${SECTION_IDS.join(', ')}`)
    .option('--format <format>', `${REPORT_FORMATS.join(' | ')}`, undefined)
    .option('--out <file>', 'write the report to this file instead of stdout')
    .option('--memory-limit <size>', MEMORY_LIMIT_HELP)
    .option('--json', 'the report as one JSON document (same as --format json)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  ecomdw report                                   as of the latest load\n' +
        '  ecomdw report --grain month --attribution current\n' +
        '  ecomdw report --known-at 2024-01-03 --format json --out report-0103.json\n' +
        '  ecomdw report --format html --out report.html           one page with charts, opens offline\n' +
        '  ecomdw report --changes-since 2024-01-03 --section restatements\n',
    )
    .action(async (flags: ReportCommandFlags) => {
      await reportCommand(flags, configOf());
    });
}
