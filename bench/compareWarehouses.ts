/**
 * Compares two DuckDB warehouses built from the same lake (before and after a
 * change that must not change behaviour): every table of the given schemas,
 * EXCEPT ALL both ways, leaving out the columns a run stamps with its own id
 * or clock. Exit code 1 when any table differs.
 *
 *   node --import tsx bench/compareWarehouses.ts <before.duckdb> <after.duckdb> [schema,schema…]
 */
import { existsSync } from 'node:fs';
import { compareDuckdbWarehouses } from '../offline/compareWarehouses.js';

const [before, after, schemaList = 'dw,history'] = process.argv.slice(2);
if (before === undefined || after === undefined || !existsSync(before) || !existsSync(after)) {
  process.stderr.write('usage: node --import tsx bench/compareWarehouses.ts <before.duckdb> <after.duckdb> [schema,schema…] (both files must exist)\n');
  process.exit(2);
}
const results = await compareDuckdbWarehouses(before, after, { schemas: schemaList.split(',') });
const width = Math.max(...results.map((r) => r.table.length));
process.stdout.write(`${'table'.padEnd(width)}  ${'before'.padStart(9)}  ${'after'.padStart(9)}  ${'only before'.padStart(11)}  ${'only after'.padStart(10)}\n`);
for (const r of results) {
  process.stdout.write(
    `${r.table.padEnd(width)}  ${String(r.beforeRows).padStart(9)}  ${String(r.afterRows).padStart(9)}  ${String(r.onlyBefore).padStart(11)}  ${String(r.onlyAfter).padStart(10)}\n`,
  );
  for (const example of r.examples) process.stdout.write(`    ${example}\n`);
}
const differing = results.filter((r) => r.onlyBefore > 0 || r.onlyAfter > 0 || r.beforeRows !== r.afterRows);
process.stdout.write(differing.length === 0 ? `identical: ${results.length} tables\n` : `DIFFERENT: ${differing.map((r) => r.table).join(', ')}\n`);
process.exit(differing.length === 0 ? 0 : 1);
