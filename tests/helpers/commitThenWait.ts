// A child process for the durability tests: it opens a warehouse with the
// durability its argument names, commits a first row and checkpoints, commits a
// second row and a second table, says so on stdout, and waits to be killed.
import { DuckDbEngine, type WarehouseDurability } from '../../functions/core/engine/duckdbEngine.js';

const [file, durability] = process.argv.slice(2) as [string, WarehouseDurability];
const engine = await DuckDbEngine.open({ path: file, lakeRoot: '.', threads: 1, durability });
await engine.transaction([{ sql: 'create table kept (n integer)' }, { sql: 'insert into kept values (1)' }]);
await engine.query({ sql: 'checkpoint' });
await engine.transaction([{ sql: 'insert into kept values (2)' }, { sql: 'create table after_checkpoint as select 1 as n' }]);
process.stdout.write('committed\n');
setInterval(() => undefined, 60_000);
