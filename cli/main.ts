import { Command, CommanderError } from 'commander';
import { resolveConfig, type ConfigFlags, type EcomdwConfig } from '../functions/core/config.js';
import type { ConfigOf } from './options.js';
import { EcomdwError } from '../functions/core/errors.js';
import { useSqlRoot } from '../functions/core/sql/files.js';
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

/**
 * The `ecomdw` program. Before any command's action, its flags and `env` (no
 * variables unless given: main() passes process.env) are resolved once into
 * the EcomdwConfig the action is given (resolveConfig), and the SQL files'
 * folder is set from it.
 */
export function buildProgram(env: Readonly<Record<string, string | undefined>> = {}): Command {
  let config: EcomdwConfig | undefined;
  const configOf: ConfigOf = () => {
    if (config === undefined) throw new TypeError('the configuration is read before the command was parsed');
    return config;
  };
  const program = new Command('ecomdw')
    .description('ecommerce data warehouse pipeline: raw shop data → SCD2 star schema, locally on DuckDB')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .hook('preAction', (_program, action) => {
      config = resolveConfig({ flags: action.opts<ConfigFlags>(), env });
      useSqlRoot(config.sqlRoot);
    });
  registerDemo(program, configOf);
  registerGenerate(program, configOf);
  registerImport(program, configOf);
  registerRun(program, configOf);
  registerValidate(program, configOf);
  registerReport(program, configOf);
  registerSql(program, configOf);
  registerLineage(program, configOf);
  return program;
}

/** Runs the CLI; every error ends here as one line on stderr and an exit code. */
export async function main(argv: string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  try {
    await buildProgram(env).parseAsync(argv, { from: 'user' });
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

/**
 * For the process entry points: output piped into a reader that stopped
 * (`ecomdw report | head`) is dropped from then on, instead of a stack trace
 * for the closed pipe; the command still ends with its own exit code.
 */
export function dropOutputOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  dropOutputOnClosedPipe();
  process.exitCode = await main(process.argv.slice(2));
}
