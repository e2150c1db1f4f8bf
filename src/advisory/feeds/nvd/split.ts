/**
 * Splits the `vulnerabilities` array of an NVD API page into one JSON text per record, from a byte stream, so that
 * each record is parsed by JSON.parse alone. A full token parser (stream-json) reads a 10 MB page in seconds; this
 * scan only tracks strings and nesting, and JSON.parse does the rest about ten times faster. Memory holds one record.
 *
 * What it checks: records are objects, separated by commas, inside the top-level "vulnerabilities" array; the
 * document is complete (every bracket closed, nothing after the end). The records themselves are checked by
 * JSON.parse; the other top-level values by the header read.
 */
export class RecordSplitError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export async function* splitNvdRecords(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let depth = 0;
  let inString = false;
  let escape = false;
  /** The last string completed at depth 1 (a top-level key or value), and whether it is the current key. */
  let topString: number[] | undefined;
  let lastTopString = '';
  let inRecords = false; // inside the vulnerabilities array (depth 2)
  let recordParts: Buffer[] | undefined; // set while inside a record
  let recordStart = 0;
  let sawTop = false;
  let offset = 0;

  for await (const chunk of chunks) {
    if (recordParts) recordStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (inString) {
        if (escape) escape = false;
        else if (c === BACKSLASH) escape = true;
        else if (c === QUOTE) {
          inString = false;
          if (topString) {
            lastTopString = Buffer.from(topString).toString('utf8');
            topString = undefined;
          }
        } else if (topString && topString.length < 64) topString.push(c);
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1) topString = [];
        else if (inRecords && !recordParts) throw new RecordSplitError(`byte ${offset + i}: a string where a record should be`);
        continue;
      }
      if (c === LBRACE || c === LBRACKET) {
        if (depth === 0 && (c !== LBRACE || sawTop)) throw new RecordSplitError(`byte ${offset + i}: the page is not one JSON object`);
        if (depth === 0) sawTop = true;
        if (depth === 1 && c === LBRACKET && lastTopString === 'vulnerabilities') inRecords = true;
        else if (inRecords && depth === 2) {
          if (c !== LBRACE) throw new RecordSplitError(`byte ${offset + i}: a record is not an object`);
          recordParts = [];
          recordStart = i;
        }
        depth++;
        continue;
      }
      if (c === RBRACE || c === RBRACKET) {
        depth--;
        if (depth < 0) throw new RecordSplitError(`byte ${offset + i}: unbalanced ${String.fromCharCode(c)}`);
        if (inRecords && depth === 2 && recordParts) {
          recordParts.push(chunk.subarray(recordStart, i + 1));
          yield Buffer.concat(recordParts).toString('utf8');
          recordParts = undefined;
        } else if (inRecords && depth === 1) inRecords = false;
        continue;
      }
      if (inRecords && depth === 2 && !recordParts && c !== COMMA && !isSpace(c)) {
        throw new RecordSplitError(`byte ${offset + i}: ${JSON.stringify(String.fromCharCode(c))} between records`);
      }
    }
    if (recordParts) recordParts.push(chunk.subarray(recordStart));
    offset += chunk.length;
  }
  if (!sawTop || depth !== 0 || inString) throw new RecordSplitError(`the page ends after ${offset} bytes, inside the document (truncated)`);
}
