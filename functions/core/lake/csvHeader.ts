import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { RAW_FILE_RULES } from '../contract.js';

/** The header record of a CSV file, read by the contract's dialect. */
export interface CsvHeader {
  /** The field names as written (a leading byte-order mark removed). */
  readonly names: string[];
  /** True when the header record ends with CRLF (the file's records then do too). */
  readonly crlf: boolean;
}

/** How much of a file the header may take: a header longer than this is refused. */
export const MAX_HEADER_BYTES = RAW_FILE_RULES.csv.maxHeaderBytes;

/** The header record does not end within MAX_HEADER_BYTES. */
export class HeaderTooLongError extends Error {
  public constructor(public readonly bytes: number) {
    super(`the header record is not complete within its first ${bytes} bytes`);
    this.name = 'HeaderTooLongError';
  }
}

/**
 * Reads the first record of a CSV file (gzip-compressed when `compressed`)
 * without reading the rest: the engines then read the data rows with the
 * field count it gives. An empty file has no names.
 */
export async function readCsvHeader(file: string, compressed: boolean): Promise<CsvHeader> {
  const { text, ended } = await readPrefix(file, compressed);
  const header = parseFirstRecord(text.replace(/^\uFEFF/, ''), ended);
  if (header === null) throw new HeaderTooLongError(MAX_HEADER_BYTES);
  return header;
}

async function readPrefix(file: string, compressed: boolean): Promise<{ text: string; ended: boolean }> {
  const raw = createReadStream(file);
  const stream = compressed ? raw.pipe(createGunzip()) : raw;
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      text += decoder.decode(chunk, { stream: true });
      if (parseFirstRecord(text) !== null || bytes >= MAX_HEADER_BYTES) return { text, ended: false };
    }
    return { text: text + decoder.decode(), ended: true };
  } finally {
    raw.destroy();
    stream.destroy();
  }
}

/**
 * The first record of RFC 4180 text (delimiter, quote and escape from the
 * contract), or null while it is incomplete. A record ends at LF or CRLF
 * outside quotes, or at the end of the text when it has no line break at all.
 */
export function parseFirstRecord(text: string, complete = false): CsvHeader | null {
  const { delimiter, quote } = RAW_FILE_RULES.csv;
  const names: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === quote && text[i + 1] === quote) {
        field += quote;
        i++;
      } else if (char === quote) {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === quote && field === '') {
      quoted = true;
    } else if (char === delimiter) {
      names.push(field);
      field = '';
    } else if (char === '\n') {
      const crlf = field.endsWith('\r');
      names.push(crlf ? field.slice(0, -1) : field);
      return { names, crlf };
    } else {
      field += char;
    }
  }
  if (!complete) return null;
  if (text === '') return { names: [], crlf: false };
  names.push(field);
  return { names, crlf: false };
}
