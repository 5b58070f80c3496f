import type { Command } from 'commander';
import { generateLake, GENERATE_FORMATS, type GenerateFormat, type GenerateSummary } from '../../generator/generateLake.js';
import type { EcomdwConfig } from '../../functions/core/config.js';
import { positiveNumber, wholeNumber, type ConfigOf } from '../options.js';
import { progress } from '../output.js';

export interface GenerateFlags {
  out?: string;
  scale: number;
  days: number;
  seed: number;
  format: GenerateFormat;
  start?: string;
  json?: boolean;
}

/** Writes a deterministic sample lake. */
export async function generateCommand(flags: GenerateFlags, config: EcomdwConfig): Promise<GenerateSummary> {
  const out = flags.out ?? config.lake;
  const summary = await generateLake({
    out,
    scale: flags.scale,
    days: flags.days,
    seed: flags.seed,
    format: flags.format,
    startDate: flags.start,
    // Progress goes to stderr in every mode; with --json, stdout carries the JSON document alone.
    onProgress: (m) => progress(`  ${m}`),
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const rows = Object.values(summary.rowsByTable).reduce((a, b) => a + b, 0);
    const invalid = Object.values(summary.invalidRowsByTable).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `generated ${rows} rows (${invalid} planted invalid, ${summary.malformedFiles.length} malformed file) in ${summary.files} files, ` +
        `${summary.batches.length} batches ${summary.batches[0]} .. ${summary.batches.at(-1)}, into ${summary.out} (${summary.seconds.toFixed(1)} s)\n`,
    );
  }
  return summary;
}

/** Registers `ecomdw generate`. */
export function registerGenerate(program: Command, configOf: ConfigOf): void {
  program
    .command('generate')
    .description('write deterministic sample shop data (late changes, duplicates, deletes, bad rows...) into a lake')
    .option('--out <lake>', 'lake folder to create (default: ./data/lake or ECOMDW_LAKE)')
    .option('--scale <n>', '1 ≈ 10,000 customers, 1,000 products, 100,000 orders; fractions allowed', positiveNumber, 1)
    .option('--days <d>', 'number of daily batches', wholeNumber, 7)
    .option('--seed <s>', 'random seed: same arguments, byte-identical files', wholeNumber, 42)
    .option('--format <f>', `file format: ${GENERATE_FORMATS.join(' | ')}`, 'mixed')
    .option('--start <date>', 'first batch date, YYYY-MM-DD (default: --days days ago, so the last batch is yesterday, UTC; give it for the same files on another day)')
    .option('--json', 'print the generator summary as JSON on stdout')
    .action(async (flags: GenerateFlags) => {
      await generateCommand(flags, configOf());
    });
}
