import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { RAW_FILE_RULES } from '../contract.js';

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;
const CR_AFTER_QUOTE = 4;

/**
 * True when every quoted value of a CSV file closes, and only a delimiter or
 * a line break follows its closing quote (RFC 4180; a quote inside an unquoted
 * value is an ordinary character). DuckDB's strict reader drops the rest of a
 * file after a quote that never closes, without an error, so the normalizer
 * checks this itself; the Glue job does the same with Python's csv module.
 * It reads bytes, not rows: the delimiter, quote and line breaks are ASCII.
 */
export async function csvQuotingIsValid(file: string, compressed: boolean): Promise<boolean> {
  const delimiter = RAW_FILE_RULES.csv.delimiter.charCodeAt(0);
  const quote = RAW_FILE_RULES.csv.quote.charCodeAt(0);
  const raw = createReadStream(file);
  const stream = compressed ? raw.pipe(createGunzip()) : raw;
  let state = FIELD_START;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let i = 0;
      // A byte-order mark before the header is not part of its first field.
      if (first && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
      first = false;
      for (; i < chunk.length; i++) {
        const byte = chunk[i];
        switch (state) {
          case FIELD_START:
            state = byte === quote ? QUOTED : byte === delimiter || byte === 0x0a ? FIELD_START : UNQUOTED;
            break;
          case UNQUOTED:
            if (byte === delimiter || byte === 0x0a) state = FIELD_START;
            break;
          case QUOTED:
            if (byte === quote) state = QUOTE_IN_QUOTED;
            break;
          case QUOTE_IN_QUOTED:
            if (byte === quote) state = QUOTED;
            else if (byte === delimiter || byte === 0x0a) state = FIELD_START;
            else if (byte === 0x0d) state = CR_AFTER_QUOTE;
            else return false;
            break;
          case CR_AFTER_QUOTE:
            if (byte !== 0x0a) return false;
            state = FIELD_START;
            break;
        }
      }
    }
    return state !== QUOTED && state !== CR_AFTER_QUOTE;
  } finally {
    raw.destroy();
    stream.destroy();
  }
}
