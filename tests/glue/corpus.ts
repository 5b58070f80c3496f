/**
 * The edge-case corpus: raw files that exercise every reading and value rule
 * of the contract (issue 11 point 3, issue 14 point 1), written into one batch
 * of a lake. tests/glueJob.test.ts normalizes it with DuckDB and with the Glue
 * job under Spark and requires identical output; EXPECTED says what that
 * output must be for the cases that matter, so agreement is never vacuous.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SourceTable } from '../../functions/core/contract.js';
import { batchPrefix } from '../../functions/core/lake/layout.js';
import { queryDuckDb } from '../helpers/tempLake.js';

export const CORPUS_BATCH = 'corpus';

const CJK_86 = '漢'.repeat(86); // 258 bytes
const CJK_85 = '漢'.repeat(85); // 255 bytes
const PAY = 'payment_id,order_id,payment_method,amount,paid_at';
const ITEMS = 'order_id,line_number,product_id,quantity,unit_price,updated_at,discount_amount,shipping_amount,is_deleted';

/** Text files: name → content (a string is written as UTF-8, a Buffer as it is). */
const FILES: Readonly<Record<SourceTable, Readonly<Record<string, string | Buffer>>>> = {
  customers: {
    'c01_quoting.csv': [
      'customer_id,updated_at,first_name,last_name,city',
      `c01,2024-01-01,'Bobby',"O'Neil, Jr.",Paris`,
      'c02,2024-01-01,Bo,"the ""boss""","Lyon',
      'Rhône"',
      'c03,2024-01-01,a b"c,x,y',
      '',
    ].join('\n'),
    'c02_crlf_bom.csv': `\uFEFFcustomer_id,updated_at,city\r\nc04,2024-01-01,"two\r\nlines"\r\nc05,2024-01-01,plain\r\n`,
    'c03_ragged.csv': [
      'customer_id,updated_at,city,state',
      'c06,2024-01-01,Oslo,OS',
      'c07,2024-01-01,Oslo,OS,extra',
      'c08,2024-01-01,Oslo',
      '',
      '   ',
      'c09,2024-01-01,,',
      'c10,2024-01-01,"a,b",OS,,',
      '',
    ].join('\n'),
    'c04_timestamps.csv': [
      'customer_id,updated_at',
      't01,2024-06-01T10:00:00 Europe/Paris',
      't02,2024',
      't03,2024-01',
      't04,10:00:00',
      't05,2024-01-01 24:00:00',
      't06,2024-02-30',
      't07,2024-06-01t10:00:00z',
      't08,2024-06-01T10:00:00+05:30',
      't09,2024-06-01T10:00:00-0800',
      't10,2024-06-01T10:00:00+02',
      't11,2024-06-01T10:00:00.123456789Z',
      't12,1850-01-01',
      't13,9999-12-31T12:00:00Z',
      't14,1899-12-31T23:00:00-02:00',
      't15,1900-01-01T00:30:00+01:00',
      't16,2024-06-01 10:00',
      't17,"2024-06-01 10:00:00\n"',
      't18,2024-06-01T10:00:00 +02:00',
      't19,0000-01-01',
      't20,2024-06-01T10:00:00.5+01:00',
      't21,2024-13-01',
      't22,20240601',
      't23,2024-06-01T10:00:00UTC',
      '',
    ].join('\n'),
    'c05_values.csv': [
      'customer_id,updated_at,city,segment,is_deleted,email',
      `v01,2024-01-01,${CJK_86},,,`,
      `v02,2024-01-01,${CJK_85},,,`,
      'v03,2024-01-01,"a\u0000b",,,',
      'v04,2024-01-01,\u00A0Paris\u00A0,,,',
      'v05,2024-01-01,"\tParis \t",,,',
      'v06,2024-01-01,x,İSTANBUL,,',
      'v07,2024-01-01,x,SMB,YES,',
      'v08,2024-01-01,x,,maybe,',
      'v09,2024-01-01,x,,Ｔ,',
      'v10,2024-01-01,x,ΣΟΦΙΑΣ,,',
      `v11,2024-01-01,x,,,${'e'.repeat(250)}@example.com`,
      'v12,,x,,,',
      ',2024-01-01,x,,,',
      '',
    ].join('\n'),
    'c06.csv.gz': gzipSync('customer_id,updated_at,city\ng01,2024-01-01,"Paris, 75"\n'),
    'c07.CSV': 'customer_id,updated_at\nu01,2024-01-01\n',
    'c08.csv.GZ': gzipSync('customer_id,updated_at\nu02,2024-01-01\n'),
    'c09_unterminated.csv': 'customer_id,updated_at,city\nq01,2024-01-01,"Lyon\nq02,2024-01-01,Paris\n',
    'c10_after_quote.csv': 'customer_id,updated_at,city\nq03,2024-01-01,"Ly"on\nq04,2024-01-01,Paris\n',
    'c11_header_only.csv': 'customer_id,updated_at\n',
    'c12_empty.csv': '',
    'c13_duplicate_header.csv': 'Customer_ID,customer_id,updated_at\nd01,d01,2024-01-01\n',
    'c14.txt': 'hello\n',
    'c15_missing_column.csv': 'customer_id,city\nm01,Paris\nm02,Lyon\n',
  },
  payments: {
    'p01_numbers.csv': [
      PAY,
      'n01,o1,card,1e2,2024-01-01',
      'n02,o1,card,1.5E-2,2024-01-01',
      'n03,o1,card,1e-5,2024-01-01',
      'n04,o1,card,12.34567,2024-01-01',
      'n05,o1,card,99999999999999.9999,2024-01-01',
      'n06,o1,card,100000000000000,2024-01-01',
      'n07,o1,card,-0,2024-01-01',
      'n08,o1,card,+5,2024-01-01',
      'n09,o1,card,.5,2024-01-01',
      'n10,o1,card,5.,2024-01-01',
      'n11,o1,card,"12\n",2024-01-01',
      'n12,o1,card, 7 ,2024-01-01',
      'n13,o1,card,"1,000",2024-01-01',
      'n14,o1,card,NaN,2024-01-01',
      'n15,o1,card,inf,2024-01-01',
      'n16,o1,card,0x10,2024-01-01',
      'n17,o1,card,-3,2024-01-01',
      'n18,o1,card,12.50000000,2024-01-01',
      'n19,o1,card,1e99999,2024-01-01',
      'n20,o1,card,0.00000000000000000001e20,2024-01-01',
      'n21,o1,card,1.23456789E7,2024-01-01',
      'n22,o1,card,"12\u2028",2024-01-01',
      'n23,o1,Card ,5,2024-01-01',
      'n24,o1,,5,2024-01-01',
      '',
    ].join('\n'),
    'p02_json.jsonl': `\uFEFF${[
      '{"payment_id":"j01","order_id":"o1","payment_method":"card","amount":1e3,"paid_at":"2024-01-01"}',
      '{"payment_id":"j02","order_id":"o1","payment_method":"card","amount":12.50,"paid_at":"2024-01-01"}',
      '{"payment_id":"j03","order_id":"o1","payment_method":"card","amount":0.30000000000000004,"paid_at":"2024-01-01"}',
      '{"payment_id":"j04","order_id":"o1","payment_method":"card","amount":12345678901234.5678,"paid_at":"2024-01-01"}',
      '{"payment_id":"j05","order_id":"o1","payment_method":"card","amount":99999999999,"paid_at":"2024-01-01"}',
      '{"payment_id":"j06","order_id":"o1","payment_method":"card","amount":123456789012345678901234,"paid_at":"2024-01-01"}',
      '{"payment_id":"j07","order_id":"o1","payment_method":"card","amount":-0.0,"paid_at":"2024-01-01"}',
      '{"payment_id":"j08","order_id":"o1","payment_method":"card","amount":NaN,"paid_at":"2024-01-01"}',
      '{"payment_id":"j09","order_id":"o1","payment_method":"card","amount":Infinity,"paid_at":"2024-01-01"}',
      '{"payment_id":"j10","order_id":"o1","payment_method":"card","amount":"1e3","paid_at":"2024-01-01"}',
      '{"payment_id":"j11","order_id":"o1","payment_method":"card","amount":{"value":1},"paid_at":"2024-01-01"}',
      '{"payment_id":"j12","order_id":"o1","payment_method":"card","amount":[1],"paid_at":"2024-01-01"}',
      '{"payment_id":"j13","order_id":"o1","payment_method":"card","amount":true,"paid_at":"2024-01-01"}',
      '{"payment_id":"j14","order_id":"o1","payment_method":"card","amount":null,"paid_at":"2024-01-01"}',
      '{"payment_id":"j15","payment_id":"j15b","order_id":"o1","payment_method":"card","amount":5,"paid_at":"2024-01-01"}',
      '{"payment_id":"j16","order_id":"o1","payment_method":"card","amount":5,"paid_at":"2024-01-01",}',
      '[1,2]',
      '',
      '{"payment_id":"j17","order_id":"o1","payment_method":"card","amount":5,"paid_at":"2024-01-01","extra":{"a":[1,{"b":null}]}}',
      '{"payment_id":"j18","order_id":"o1","payment_method":"card","amount":100000000000.5,"paid_at":"2024-01-01"}',
      '{"payment_id":"j19","order_id":"o1","payment_method":"card","amount":99999999999.5,"paid_at":"2024-01-01"}',
      '{"payment_id":"j20","order_id":"o1","payment_method":"card","amount":5,"paid_at":20240101}',
      '{"payment_id":"j21","order_id":"o1","payment_method":"card","amount":"5","paid_at":"2024-01-01T10:00:00Z","updated_at":"2024-01-01"}',
      '{"payment_id":"j22","order_id":"o1","payment_method":"card","amount":1E2,"paid_at":"2024-01-01"}',
      'garbage {"x"',
      '{"payment_id":"j\\u000023","order_id":"o1","payment_method":"card","amount":5,"paid_at":"2024-01-01"}',
      '{"payment_id":"j24","order_id":"o1","payment_method":"card","amount":"12.5","paid_at":"2024-01-01","updated_at":"2024-06-01T10:00:00 Europe/Paris"}',
    ].join('\r\n')}\r\n`,
    'p03_key_case.jsonl': '{"payment_id":"k01","order_id":"o1","payment_method":"card","amount":5,"paid_at":"2024-01-01"}\n{"payment_id":"k02","order_id":"o1","payment_method":"card","Amount":5,"paid_at":"2024-01-01"}\n',
    'p04.jsonl.gz': gzipSync('{"payment_id":"z01","order_id":"o1","payment_method":"card","amount":7.25,"paid_at":"2024-01-01"}\n'),
    'p05_not_json.jsonl': 'payment_id,order_id\nx,y\n',
    'p11_broken.parquet': 'PAR1 this upload was cut off PAR',
  },
  order_items: {
    'i01_integers.csv': [
      ITEMS,
      'o1,12345678901234567890,p1,1,5,2024-01-01,,,',
      'o1,1,p1,2.0,5,2024-01-01,,,',
      'o1,2,p1,1e3,5,2024-01-01,,,',
      'o1,3,p1,100001,5,2024-01-01,,,',
      'o1,4,p1,1,1000000000,2024-01-01,,,',
      'o1,5,p1,2,10,2024-01-01,20.01,,',
      'o1,-1,p1,1,5,2024-01-01,,,',
      'o1,007,p1,1,5,2024-01-01,,,',
      'o1,8,p1,2.5,5,2024-01-01,,,',
      'o1,9,p1,0,5,2024-01-01,,,',
      'o1,10,p1,1,5,2024-01-01,,99999999999999.9999,1',
      'o1,11,p1,1,5,2024-01-01,,,no',
      'o1,12,p1,100000,999999999.9999,2024-01-01,,,',
      'o1,13,p1,1,5,2024-01-01,,,1.0',
      'o1,14,p1,99999999999999999999999,5,2024-01-01,,,',
      'o1,15,p1,1e18,5,2024-01-01,,,',
      '',
    ].join('\n'),
  },
  orders: {
    'o01_codes.csv': [
      'order_id,customer_id,order_ts,updated_at,status,currency',
      'r01,c1,2024-01-01,2024-01-01,Canceled,eur',
      'r02,c1,2024-01-01,2024-01-01,COMPLETE,ıso',
      'r03,c1,2024-01-01,2024-01-01,,ABCDEFGHIJKLMNOPQ',
      'r04,c1,1985-06-01,2024-01-01,,',
      '',
    ].join('\n'),
  },
  products: {
    'pr01.csv': `product_id,updated_at,name,list_price,unit_cost,category\npr1,2024-01-01,${'n'.repeat(1024)},1,1,Kitchen\npr2,2024-01-01,${'n'.repeat(1025)},1,1,\npr3,2024-01-01,x,999999999.9999,1000000000,\n`,
  },
  shipments: {
    's01.jsonl': '{"shipment_id":"s1","order_id":"o1","status":"In Transit","updated_at":"2024-01-01","carrier":"DHL","shipped_at":"2024-01-01"}\n{"shipment_id":"s2","order_id":"o1","status":"shipped","updated_at":"2024-01-01","delivered_at":"yesterday"}\n',
  },
};

/** Parquet files, written by DuckDB: name → the select that makes them. */
const PARQUET: Readonly<Partial<Record<SourceTable, Readonly<Record<string, string>>>>> = {
  payments: {
    'p06_decimal.parquet': `select * from (values
        ('d01', 'o1', 'card', 12.5::decimal(38,6), timestamp '2024-01-01 10:00:00.5', timestamptz '2024-01-01 10:00:00+02'),
        ('d02', 'o1', 'card', 0.00001::decimal(38,6), timestamp '1850-01-01 00:00:00', null),
        ('d03', 'o1', 'card', -1::decimal(38,6), timestamp '0900-01-02 00:00:00', null)
      ) as t(payment_id, order_id, payment_method, amount, paid_at, updated_at)`,
    'p07_double.parquet': `select * from (values
        ('f01', 'o1', 'card', 12.25::double, date '2024-01-01'),
        ('f02', 'o1', 'card', 0.1::double + 0.2::double, date '2024-01-01'),
        ('f03', 'o1', 'card', 12345678.9::double, date '2024-01-01'),
        ('f04', 'o1', 'card', 1e20::double, date '2024-01-01'),
        ('f05', 'o1', 'card', 'nan'::double, date '2024-01-01'),
        ('f06', 'o1', 'card', 1e-5::double, date '1899-12-31')
      ) as t(payment_id, order_id, payment_method, amount, paid_at)`,
    'p08_float.parquet': `select * from (values
        ('g01', 'o1', 'card', 0.1::float, '2024-01-01'),
        ('g02', 'o1', 'card', 16777216::float, '2024-01-01'),
        ('g03', 'o1', 'card', 2.5::float, '2024-01-01')
      ) as t(payment_id, order_id, payment_method, amount, paid_at)`,
    'p09_integers.parquet': `select * from (values
        ('h01', 'o1', 'card', 42::bigint, 7::integer, 18446744073709551615::ubigint, true),
        ('h02', 'o1', 'card', -42::bigint, 8::integer, 1::ubigint, false)
      ) as t(payment_id, order_id, payment_method, amount, "SOURCE_ROW", paid_at, flag)`,
    'p10_nested.parquet': `select 'e01' as payment_id, 'o1' as order_id, 'card' as payment_method, {'value': 1} as amount, '2024-01-01' as paid_at`,
    'p12_decimal10.parquet': `select * from (values
        ('d11', 'o1', 'card', 1.25::decimal(38,10), '2024-01-01'),
        ('d12', 'o1', 'card', 0.0000000001::decimal(38,10), '2024-01-01')
      ) as t(payment_id, order_id, payment_method, amount, paid_at)`,
  },
};

/** Writes the corpus into `<lake>/raw/<table>/batch_id=corpus/`. */
export async function writeCorpus(lake: string): Promise<void> {
  for (const [table, files] of Object.entries(FILES)) {
    const folder = path.join(lake, batchPrefix('raw', table as SourceTable, CORPUS_BATCH));
    mkdirSync(folder, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(folder, name), content);
  }
  for (const [table, files] of Object.entries(PARQUET)) {
    const folder = path.join(lake, batchPrefix('raw', table as SourceTable, CORPUS_BATCH));
    mkdirSync(folder, { recursive: true });
    for (const [name, select] of Object.entries(files)) {
      await queryDuckDb(':memory:', `set TimeZone = 'UTC'; copy (${select}) to '${path.join(folder, name)}' (format parquet)`);
    }
  }
}

/** The tables the corpus has files for. */
export const CORPUS_TABLES = Object.keys(FILES) as SourceTable[];

/** What one record of a corpus file must become: silver (with some of its values) or quarantine with this reason. */
export interface Expectation {
  readonly table: SourceTable;
  readonly file: string;
  /** The record's position in its file; null for a file quarantined as one record. */
  readonly row: number | null;
  readonly silver?: Readonly<Record<string, unknown>>;
  readonly reason?: string;
}

const c = (file: string, row: number | null, outcome: { silver?: Record<string, unknown>; reason?: string }): Expectation => ({ table: 'customers', file, row, ...outcome });
const p = (file: string, row: number | null, outcome: { silver?: Record<string, unknown>; reason?: string }): Expectation => ({ table: 'payments', file, row, ...outcome });
const i = (row: number, outcome: { silver?: Record<string, unknown>; reason?: string }): Expectation => ({ table: 'order_items', file: 'i01_integers.csv', row, ...outcome });
const ts = (file: string, row: number, value: string): Expectation => c(file, row, { silver: { updated_at: value } });
const notTs = (row: number): Expectation => c('c04_timestamps.csv', row, { reason: 'updated_at is not a timestamp' });
const TS_RANGE = 'updated_at is out of range [1900-01-01 00:00:00, 9999-12-31 00:00:00)';
const PRECISION = 'amount has more than 4 decimal places (rounding would lose precision)';
const amount = (file: string, row: number, value: string): Expectation => p(file, row, { silver: { amount: value } });
const MALFORMED = (format: string, reason: string) => `malformed ${format} file: ${reason}`;

/** The outcome of the cases that matter (both engines produce it, the test checks). */
export const EXPECTED: readonly Expectation[] = [
  // RFC 4180, with an explicit dialect
  c('c01_quoting.csv', 1, { silver: { first_name: "'Bobby'", last_name: "O'Neil, Jr.", city: 'Paris' } }),
  c('c01_quoting.csv', 2, { silver: { last_name: 'the "boss"', city: 'Lyon\nRhône' } }),
  c('c01_quoting.csv', 3, { silver: { first_name: 'a b"c', last_name: 'x', city: 'y' } }),
  c('c02_crlf_bom.csv', 1, { silver: { customer_id: 'c04', city: 'two\nlines' } }),
  c('c02_crlf_bom.csv', 2, { silver: { customer_id: 'c05', city: 'plain' } }),
  // ragged rows: one quarantined row each; blank lines skipped
  c('c03_ragged.csv', 1, { silver: { customer_id: 'c06' } }),
  c('c03_ragged.csv', 2, { reason: 'row has more fields than the header (4)' }),
  c('c03_ragged.csv', 3, { reason: 'row has fewer fields than the header (4)' }),
  c('c03_ragged.csv', 4, { reason: 'row has fewer fields than the header (4)' }),
  c('c03_ragged.csv', 5, { silver: { customer_id: 'c09', city: null, state: null } }),
  c('c03_ragged.csv', 6, { reason: 'row has more fields than the header (4)' }),
  // timestamps: ISO-8601, offset or Z or naive = UTC; nothing else
  notTs(1), notTs(2), notTs(3), notTs(4), notTs(5), notTs(6),
  ts('c04_timestamps.csv', 7, '2024-06-01 10:00:00'),
  ts('c04_timestamps.csv', 8, '2024-06-01 04:30:00'),
  ts('c04_timestamps.csv', 9, '2024-06-01 18:00:00'),
  ts('c04_timestamps.csv', 10, '2024-06-01 08:00:00'),
  ts('c04_timestamps.csv', 11, '2024-06-01 10:00:00.123456'),
  c('c04_timestamps.csv', 12, { reason: TS_RANGE }),
  c('c04_timestamps.csv', 13, { reason: TS_RANGE }),
  ts('c04_timestamps.csv', 14, '1900-01-01 01:00:00'),
  c('c04_timestamps.csv', 15, { reason: TS_RANGE }),
  ts('c04_timestamps.csv', 16, '2024-06-01 10:00:00'),
  ts('c04_timestamps.csv', 17, '2024-06-01 10:00:00'),
  notTs(18),
  c('c04_timestamps.csv', 19, { reason: TS_RANGE }),
  ts('c04_timestamps.csv', 20, '2024-06-01 09:00:00.5'),
  notTs(21), notTs(22), notTs(23),
  // text: byte lengths, NUL, ASCII whitespace only, ASCII case only
  c('c05_values.csv', 1, { reason: 'city is longer than 256 bytes' }),
  c('c05_values.csv', 2, { silver: { city: '漢'.repeat(85) } }),
  c('c05_values.csv', 3, { reason: 'city contains a NUL character' }),
  c('c05_values.csv', 4, { silver: { city: '\u00A0Paris\u00A0' } }),
  c('c05_values.csv', 5, { silver: { city: 'Paris' } }),
  c('c05_values.csv', 6, { silver: { segment: 'İstanbul' } }),
  c('c05_values.csv', 7, { silver: { segment: 'small_business', is_deleted: true } }),
  c('c05_values.csv', 8, { reason: 'is_deleted is not a boolean' }),
  c('c05_values.csv', 9, { reason: 'is_deleted is not a boolean' }),
  c('c05_values.csv', 10, { silver: { segment: 'ΣΟΦΙΑΣ' } }),
  c('c05_values.csv', 11, { reason: 'email is longer than 256 bytes' }),
  c('c05_values.csv', 12, { reason: 'missing required updated_at' }),
  c('c05_values.csv', 13, { reason: 'missing key customer_id' }),
  // files: compressed, upper-case extension, unsupported, malformed, empty
  c('c06.csv.gz', 1, { silver: { city: 'Paris, 75' } }),
  c('c07.CSV', 1, { silver: { customer_id: 'u01' } }),
  c('c08.csv.GZ', null, { reason: "unsupported file type '.csv.GZ' (expected .csv, .jsonl, .ndjson, .json, .parquet, or .csv.gz, .jsonl.gz, .ndjson.gz, .json.gz)" }),
  c('c09_unterminated.csv', null, { reason: MALFORMED('csv', 'a quoted value is not closed, or has characters after its closing quote') }),
  c('c10_after_quote.csv', null, { reason: MALFORMED('csv', 'a quoted value is not closed, or has characters after its closing quote') }),
  c('c13_duplicate_header.csv', null, { reason: MALFORMED('csv', "column 'customer_id' appears twice (names are case-insensitive)") }),
  c('c14.txt', null, { reason: "unsupported file type '.txt' (expected .csv, .jsonl, .ndjson, .json, .parquet, or .csv.gz, .jsonl.gz, .ndjson.gz, .json.gz)" }),
  c('c15_missing_column.csv', 1, { reason: 'missing required column(s): updated_at' }),
  // numbers in text: exact value or quarantine, never rounded
  amount('p01_numbers.csv', 1, '100.0000'),
  amount('p01_numbers.csv', 2, '0.0150'),
  p('p01_numbers.csv', 3, { reason: PRECISION }),
  p('p01_numbers.csv', 4, { reason: PRECISION }),
  amount('p01_numbers.csv', 5, '99999999999999.9999'),
  p('p01_numbers.csv', 6, { reason: 'amount is out of range (max 99999999999999.9999)' }),
  amount('p01_numbers.csv', 7, '0.0000'),
  amount('p01_numbers.csv', 8, '5.0000'),
  amount('p01_numbers.csv', 9, '0.5000'),
  amount('p01_numbers.csv', 10, '5.0000'),
  amount('p01_numbers.csv', 11, '12.0000'),
  amount('p01_numbers.csv', 12, '7.0000'),
  p('p01_numbers.csv', 13, { reason: 'amount is not a number' }),
  p('p01_numbers.csv', 14, { reason: 'amount is not a number' }),
  p('p01_numbers.csv', 15, { reason: 'amount is not a number' }),
  p('p01_numbers.csv', 16, { reason: 'amount is not a number' }),
  p('p01_numbers.csv', 17, { reason: 'amount is negative' }),
  amount('p01_numbers.csv', 18, '12.5000'),
  p('p01_numbers.csv', 19, { reason: 'amount is not a number' }),
  amount('p01_numbers.csv', 20, '1.0000'),
  amount('p01_numbers.csv', 21, '12345678.9000'),
  p('p01_numbers.csv', 22, { reason: 'amount is not a number' }),
  p('p01_numbers.csv', 23, { silver: { payment_method: 'credit_card' } }),
  p('p01_numbers.csv', 24, { reason: 'missing required payment_method' }),
  // JSON lines: numbers with a fraction are doubles; nested values, duplicate keys and non-objects are record errors
  amount('p02_json.jsonl', 1, '1000.0000'),
  amount('p02_json.jsonl', 2, '12.5000'),
  p('p02_json.jsonl', 3, { reason: PRECISION }),
  p('p02_json.jsonl', 4, { reason: 'amount is a JSON floating-point number of 100000000000 or more, which a double does not hold to 4 decimals (send it as a string)' }),
  amount('p02_json.jsonl', 5, '99999999999.0000'),
  p('p02_json.jsonl', 6, { reason: 'amount is out of range (max 99999999999999.9999)' }),
  amount('p02_json.jsonl', 7, '0.0000'),
  p('p02_json.jsonl', 8, { reason: 'amount is not a number' }),
  p('p02_json.jsonl', 9, { reason: 'amount is not a number' }),
  amount('p02_json.jsonl', 10, '1000.0000'),
  p('p02_json.jsonl', 11, { reason: 'amount is a JSON object or array, not a value' }),
  p('p02_json.jsonl', 12, { reason: 'amount is a JSON object or array, not a value' }),
  p('p02_json.jsonl', 13, { reason: 'amount is not a number' }),
  p('p02_json.jsonl', 14, { reason: 'missing required amount' }),
  p('p02_json.jsonl', 15, { reason: 'record has a key twice' }),
  amount('p02_json.jsonl', 16, '5.0000'),
  p('p02_json.jsonl', 17, { reason: 'record is not a JSON object' }),
  amount('p02_json.jsonl', 18, '5.0000'),
  p('p02_json.jsonl', 19, { reason: 'amount is a JSON floating-point number of 100000000000 or more, which a double does not hold to 4 decimals (send it as a string)' }),
  amount('p02_json.jsonl', 20, '99999999999.5000'),
  p('p02_json.jsonl', 21, { reason: 'paid_at is not a timestamp' }),
  p('p02_json.jsonl', 22, { silver: { amount: '5.0000', paid_at: '2024-01-01 10:00:00', updated_at: '2024-01-01 00:00:00' } }),
  amount('p02_json.jsonl', 23, '100.0000'),
  p('p02_json.jsonl', 24, { reason: 'record is not a JSON object' }),
  p('p02_json.jsonl', 25, { reason: 'payment_id contains a NUL character' }),
  p('p02_json.jsonl', 26, { reason: 'updated_at is not a timestamp' }),
  p('p03_key_case.jsonl', null, { reason: MALFORMED('jsonl', "column 'amount' appears twice (names are case-insensitive)") }),
  amount('p04.jsonl.gz', 1, '7.2500'),
  p('p05_not_json.jsonl', null, { reason: MALFORMED('jsonl', 'no line is a JSON object (one object per line expected)') }),
  // Parquet: any DECIMAL and integer type by value, DOUBLE and FLOAT by their shortest text, times in UTC
  p('p06_decimal.parquet', 1, { silver: { amount: '12.5000', paid_at: '2024-01-01 10:00:00.5', updated_at: '2024-01-01 08:00:00' } }),
  p('p06_decimal.parquet', 2, { reason: PRECISION }),
  p('p06_decimal.parquet', 3, { reason: 'amount is negative' }),
  amount('p07_double.parquet', 1, '12.2500'),
  p('p07_double.parquet', 2, { reason: PRECISION }),
  amount('p07_double.parquet', 3, '12345678.9000'),
  p('p07_double.parquet', 4, { reason: 'amount is out of range (max 99999999999999.9999)' }),
  p('p07_double.parquet', 5, { reason: 'amount is not a number' }),
  p('p07_double.parquet', 6, { reason: PRECISION }),
  amount('p08_float.parquet', 1, '0.1000'),
  amount('p08_float.parquet', 2, '16777216.0000'),
  amount('p08_float.parquet', 3, '2.5000'),
  p('p09_integers.parquet', 1, { reason: 'paid_at is not a timestamp' }),
  p('p10_nested.parquet', null, { reason: MALFORMED('parquet', "column 'amount' holds nested or binary values, not text, numbers or times") }),
  p('p11_broken.parquet', null, { reason: MALFORMED('parquet', 'not a readable Parquet file') }),
  amount('p12_decimal10.parquet', 1, '1.2500'),
  p('p12_decimal10.parquet', 2, { reason: PRECISION }),
  // integers: whole values by value, limits named
  i(1, { reason: 'line_number is out of range (max 999999999)' }),
  i(2, { silver: { quantity: '2' } }),
  i(3, { silver: { quantity: '1000' } }),
  i(4, { reason: 'quantity is out of range (max 100000)' }),
  i(5, { reason: 'unit_price is out of range (max 999999999.9999)' }),
  i(6, { reason: 'discount_amount exceeds quantity * unit_price' }),
  i(7, { reason: 'line_number is negative' }),
  i(8, { silver: { line_number: '7' } }),
  i(9, { reason: 'quantity is not an integer' }),
  i(10, { reason: 'quantity is zero' }),
  i(11, { silver: { shipping_amount: '99999999999999.9999', is_deleted: true } }),
  i(12, { silver: { is_deleted: false } }),
  i(13, { silver: { quantity: '100000', unit_price: '999999999.9999' } }),
  i(14, { reason: 'is_deleted is not a boolean' }),
  i(15, { reason: 'quantity is out of range (max 100000)' }),
  i(16, { reason: 'quantity is out of range (max 100000)' }),
  // codes: vocabulary and currency change ASCII letters only
  { table: 'orders', file: 'o01_codes.csv', row: 1, silver: { status: 'cancelled', currency: 'EUR' } },
  { table: 'orders', file: 'o01_codes.csv', row: 2, silver: { status: 'delivered', currency: 'ıSO' } },
  { table: 'orders', file: 'o01_codes.csv', row: 3, reason: 'currency is longer than 16 bytes' },
  { table: 'orders', file: 'o01_codes.csv', row: 4, silver: { order_ts: '1985-06-01 00:00:00' } },
  { table: 'products', file: 'pr01.csv', row: 1, silver: { category: 'kitchen' } },
  { table: 'products', file: 'pr01.csv', row: 2, reason: 'name is longer than 1024 bytes' },
  { table: 'products', file: 'pr01.csv', row: 3, reason: 'unit_cost is out of range (max 999999999.9999)' },
  { table: 'shipments', file: 's01.jsonl', row: 1, silver: { status: 'in_transit', carrier: 'dhl' } },
  { table: 'shipments', file: 's01.jsonl', row: 2, reason: 'delivered_at is not a timestamp' },
];
