import type { Command } from 'commander';
import type { EcomdwConfig } from '../../functions/core/config.js';
import { DuckDbEngine } from '../../functions/core/engine/duckdbEngine.js';
import { InterruptedError } from '../../functions/core/errors.js';
import { listenForInterruption } from '../interruption.js';
import { LocalLake } from '../../functions/core/lake/localLake.js';
import { validateWarehouse, type WarehouseValidation } from '../../functions/core/steps/validateWarehouse.js';
import { MEMORY_LIMIT_HELP, type ConfigOf } from '../options.js';
import { compactTable } from '../output.js';

/** Runs the data-quality suite over the whole warehouse. */
export async function validateCommand(config: EcomdwConfig): Promise<WarehouseValidation> {
  // A read-only look: a --db that names no warehouse is refused, not created empty.
  const engine = await DuckDbEngine.open({
    path: config.db,
    lakeRoot: config.lake,
    memoryLimit: config.memoryLimit,
    compression: config.compression,
    mustExist: true,
    traceSql: config.traceSql,
  });
  const interruption = listenForInterruption();
  interruption.signal.addEventListener('abort', () => engine.interrupt(), { once: true });
  try {
    let validation: WarehouseValidation;
    try {
      validation = await validateWarehouse({ engine, lake: new LocalLake(config.lake), config });
    } catch (error) {
      const signal = interruption.received();
      if (signal !== null) throw new InterruptedError(signal, 'validation stopped, no result recorded', { cause: error });
      throw error;
    }
    if (config.json) {
      process.stdout.write(`${JSON.stringify(validation, null, 2)}\n`);
    } else {
      const table = compactTable(['test', 'severity', 'status', 'failing rows', 'sample keys']);
      for (const r of validation.results) table.push([r.test, r.severity, r.status, r.failingRows, (r.sampleKeys ?? '').slice(0, 60)]);
      process.stdout.write(`${table.toString()}\n${validation.passed} passed, ${validation.warned} warned, ${validation.failed} failed (run ${validation.runId})\n`);
    }
    if (validation.failed > 0) process.exitCode = 1;
    return validation;
  } finally {
    interruption.dispose();
    await engine.close();
  }
}

/** Registers `ecomdw validate`. */
export function registerValidate(program: Command, configOf: ConfigOf): void {
  program
    .command('validate')
    .description('run the data-quality suite over the whole warehouse; exit 1 when an error-severity test fails')
    .option('--lake <dir>', 'lake folder (env ECOMDW_LAKE)')
    .option('--db <file>', 'warehouse DuckDB file (env ECOMDW_DB)')
    .option('--memory-limit <size>', MEMORY_LIMIT_HELP)
    .option('--json', 'print the results as JSON on stdout')
    .action(async () => {
      await validateCommand(configOf());
    });
}
