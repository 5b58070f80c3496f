import type { Command } from 'commander';
import { OlistDataError } from '../../importers/olist/errors.js';
import { importOlist, OLIST_ATTRIBUTION, type OlistImportSummary } from '../../importers/olist/importOlist.js';
import { OLIST_FILES } from '../../importers/olist/sourceFiles.js';
import type { EcomdwConfig } from '../../functions/core/config.js';
import type { ConfigOf } from '../options.js';
import { progress } from '../output.js';

export interface ImportOlistFlags {
  from: string;
  out?: string;
  json?: boolean;
}

/** Imports the Kaggle Olist CSVs into a lake; bad source values exit 1 (the data failed), a missing folder/file/column exits 2. */
export async function importOlistCommand(flags: ImportOlistFlags, config: EcomdwConfig): Promise<OlistImportSummary | null> {
  const out = flags.out ?? config.lake;
  progress(`ecomdw import olist: ${flags.from} → ${out}`);
  let summary: OlistImportSummary;
  try {
    summary = await importOlist({ from: flags.from, out, onProgress: (m) => progress(`  ${m}`) });
  } catch (error) {
    if (!(error instanceof OlistDataError)) throw error;
    process.stderr.write(`ecomdw: ${error.message}\n`);
    process.exitCode = 1;
    return null;
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const rows = Object.values(summary.rowsByTable).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `imported ${rows} rows in ${summary.files} files, ${summary.batches.length} monthly batches ` +
        `${summary.batches[0] ?? '-'} .. ${summary.batches.at(-1) ?? '-'}, into ${summary.out} (${summary.seconds.toFixed(1)} s)\n` +
        `data: ${OLIST_ATTRIBUTION}\n` +
        `next: ecomdw run --lake ${summary.out} --db <warehouse.duckdb>\n`,
    );
  }
  return summary;
}

/** Registers `ecomdw import <source>`; today the one source is `olist`. */
export function registerImport(program: Command, configOf: ConfigOf): void {
  const importCommand = program
    .command('import')
    .description('turn a public dataset into a lake in the source contract (sources: olist)');
  importCommand
    .command('olist')
    .description(
      'the Kaggle Olist Brazilian e-commerce dataset (olistbr/brazilian-ecommerce, CC BY-NC-SA 4.0) as a lake, one batch per purchase month',
    )
    .requiredOption('--from <dir>', `folder with the Kaggle CSVs: ${OLIST_FILES.map((f) => f.file).join(', ')}`)
    .option('--out <lake>', 'lake folder to create; its raw/ must be empty (default: ./data/lake or ECOMDW_LAKE)')
    .option('--json', 'print the import summary as JSON on stdout (progress stays on stderr)')
    .addHelpText(
      'after',
      '\nThe data: https://www.kaggle.com/datasets/olistbr/brazilian-ecommerce (a 343-order sample is in tests/fixtures/olist).\n' +
        'Then: ecomdw run --lake <lake> --db <warehouse.duckdb>. The mapping: README, "Real data: Olist".',
    )
    .action(async (flags: ImportOlistFlags) => {
      await importOlistCommand(flags, configOf());
    });
}
