import { Command, CommanderError } from 'commander';
import { EcomdwError } from '../functions/shared/errors.js';
import { EXIT, exitCodeOf } from './exitCodes.js';
import { registerDemo } from './commands/demo.js';
import { registerGenerate } from './commands/generate.js';
import { registerImport } from './commands/import.js';
import { registerLineage } from './commands/lineage.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerSql } from './commands/sql.js';
import { registerValidate } from './commands/validate.js';

export { EXIT } from './exitCodes.js';

/** The `ecomdw` program. */
export function buildProgram(): Command {
  const program = new Command('ecomdw')
    .description('ecommerce data warehouse pipeline: raw shop data → SCD2 star schema, locally on DuckDB')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerGenerate(program);
  registerImport(program);
  registerRun(program);
  registerValidate(program);
  registerReport(program);
  registerSql(program);
  registerLineage(program);
  return program;
}

/** Runs the CLI; every error ends here as one line on stderr and an exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed the message (or the help text)
      return error.exitCode === 0 ? 0 : EXIT.usage;
    }
    if (error instanceof EcomdwError) {
      process.stderr.write(`ecomdw: ${error.message}\n`);
      return exitCodeOf(error);
    }
    process.stderr.write(`ecomdw: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failed;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
