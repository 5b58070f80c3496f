import type { Command } from 'commander';
import { modelLineage } from '../../functions/core/sql/lineage.js';
import type { ConfigOf } from '../options.js';

/** Prints which tables feed which, read from the pipeline's SQL. */
export function lineageCommand(config: { json: boolean }): void {
  const nodes = modelLineage();
  if (config.json) {
    process.stdout.write(`${JSON.stringify(nodes, null, 2)}\n`);
    return;
  }
  for (const node of nodes) {
    process.stdout.write(`${node.model}\n${node.sources.map((s) => `  <- ${s}`).join('\n')}\n`);
  }
}

/** Registers `ecomdw lineage`. */
export function registerLineage(program: Command, configOf: ConfigOf): void {
  program
    .command('lineage')
    .description('print the model lineage: which tables feed which (read from sql/)')
    .option('--json', 'print the lineage as JSON on stdout')
    .action(() => lineageCommand(configOf()));
}
