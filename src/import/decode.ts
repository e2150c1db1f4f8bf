import { ParseError } from '../core/errors.js';

/** What the bytes of a report are, before its format is known. */
export type Decoded =
  | { kind: 'json'; value: unknown }
  /** Several JSON values one after another (govulncheck's v1 stream, JSON Lines). */
  | { kind: 'json-stream'; values: unknown[] }
  | { kind: 'xml'; text: string };

/** Largest report read: far above any real one, low enough to refuse a runaway upload. */
export const MAX_REPORT_BYTES = 512 * 1024 * 1024;

export function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes.byteLength > MAX_REPORT_BYTES) throw new ParseError(file, `the report is ${bytes.byteLength} bytes; the limit is ${MAX_REPORT_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new ParseError(file, 'not a report: the file is not UTF-8 text', { cause: e });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/**
 * Splits concatenated JSON values (`{…}{…}` or one per line) at their top level; undefined when the
 * text is not such a sequence of objects/arrays.
 */
export function splitJsonValues(text: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      if (depth === 0) return undefined;
      inString = true;
    } else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) parts.push(text.slice(start, i + 1));
    } else if (depth === 0 && !/\s/.test(c)) {
      return undefined;
    }
  }
  return depth === 0 && parts.length > 1 ? parts : undefined;
}

export function decodeReport(bytes: Uint8Array, file: string): Decoded {
  const text = decodeText(bytes, file);
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new ParseError(file, 'not a report: the file is empty', { hint: 'a scanner that found nothing still writes a report; check that the scan ran' });
  if (trimmed.startsWith('<')) return { kind: 'xml', text };
  try {
    return { kind: 'json', value: JSON.parse(trimmed) as unknown };
  } catch (first) {
    const parts = splitJsonValues(trimmed);
    if (parts) {
      try {
        return { kind: 'json-stream', values: parts.map((p) => JSON.parse(p) as unknown) };
      } catch {
        // fall through to the first error: it names the position in the whole file
      }
    }
    throw new ParseError(file, `not a report: invalid JSON (${first instanceof Error ? first.message : String(first)})`, { cause: first });
  }
}
