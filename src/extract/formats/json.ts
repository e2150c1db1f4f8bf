/**
 * JSON / JSONC for lockfiles, with the position of each object key, so adapters can report line numbers.
 *
 * Values come from JSON.parse (native, an order of magnitude faster than a parser in JavaScript on a
 * megabyte-sized lockfile). Positions come from the text after it, read with sticky regular expressions: one
 * pass at parse time refuses nesting deeper than MAX_NESTING and reads the document's keys; the keys of
 * another object are read the first time `keyOffset` or `obj` asks about it. So positions are known for the
 * document and for any object reached from it through objects whose keys were asked for (a lockfile's
 * `packages`, then the entries in it): `keyOffset(doc.packages, k)`, or `obj(entry, 'dependencies')` then
 * `keyOffset` on that. Objects inside arrays have no positions.
 *
 * `jsonc: true` accepts `//` and `/* *\/` comments and trailing commas (bun.lock, tsconfig style): they are
 * blanked to spaces first, so offsets and line numbers stay those of the original text.
 * Errors throw FormatError; parseFile wraps it in a ParseError naming the file.
 */
import { FormatError, MAX_NESTING, tooDeep } from './error.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Where a parsed object or array starts in its text; the offsets of an object's keys once asked for. */
interface Place {
  text: string;
  start: number;
  /** 1 for the document, 2 for its members, … */
  depth: number;
  keys?: Map<string, number>;
}
const places = new WeakMap<object, Place>();

/** Character offset of `key` inside `obj` (as parsed by parseJson), if known. A repeated key: its last occurrence. */
export function keyOffset(obj: object, key: string): number | undefined {
  const place = places.get(obj);
  if (!place) return undefined;
  if (!place.keys) readKeys(place, obj);
  return place.keys?.get(key);
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(text: string, options: { jsonc?: boolean } = {}): JsonValue {
  const json = options.jsonc === true ? blankJsonc(text) : text;
  let doc: JsonValue;
  try {
    doc = JSON.parse(json) as JsonValue;
  } catch (e) {
    throw new FormatError(e instanceof Error ? e.message : String(e));
  }
  if (typeof doc === 'object' && doc !== null) {
    // One pass over the whole text refuses nesting deeper than MAX_NESTING and reads the keys of the document
    // and of the objects in it (a lockfile's `packages`); deeper objects' keys are read when first asked for.
    BLANKS.lastIndex = 0;
    BLANKS.test(json);
    const place: Place = { text: json, start: BLANKS.lastIndex, depth: 1 };
    places.set(doc, place);
    if (Array.isArray(doc)) skipValue(json, place.start, 1);
    else readKeys(place, doc, true);
  }
  return doc;
}

// Sticky regular expressions that read the text natively; the JavaScript loop only visits object members.
const STRING = String.raw`"[^"\\]*(?:\\.[^"\\]*)*"`;
/** `{` or `[`, then whatever follows up to the next token worth looking at. */
const MEMBER = new RegExp(String.raw`[\s,]*(?:\}|(${STRING})\s*:\s*)`, 'y');
const ELEMENT = /[\s,]*(\])?/y;
const STRING_AT = new RegExp(STRING, 'y');
const SCALAR_AT = /[^,}\]\s]*/y;
const BLANKS = /[ \t\n\r]*/y;
/** How deep a container matched whole by SHALLOW_AT may nest (each level doubles the pattern). */
const SHALLOW_LEVELS = 4;
const SHALLOW_AT = new RegExp(shallow(SHALLOW_LEVELS), 'y');

/** A pattern for an object or array nesting at most `levels` deep; one character or one string per step, so it never backtracks badly. */
function shallow(levels: number): string {
  let inner = String.raw`[^{}[\]"]|${STRING}`;
  let pattern = '';
  for (let l = 0; l < levels; l++) {
    pattern = String.raw`\{(?:${inner})*\}|\[(?:${inner})*\]`;
    inner = String.raw`[^{}[\]"]|${STRING}|${pattern}`;
  }
  return `(?:${pattern})`;
}

/**
 * Reads the keys of the object at `place` (valid JSON) into `place.keys` and registers the place of each object
 * or array member; with `members`, also reads the keys of each object member in the same pass. Returns the
 * offset after the object.
 */
function readKeys(place: Place, value: object, members = false): number {
  const { text, depth } = place;
  const keys = new Map<string, number>();
  place.keys = keys;
  let i = place.start + 1;
  while (true) {
    MEMBER.lastIndex = i;
    const m = MEMBER.exec(text);
    if (!m) throw new Error(`JSON positions: no member at offset ${i} of a text JSON.parse accepted`);
    i = MEMBER.lastIndex;
    const quoted = m[1];
    if (quoted === undefined) return i;
    const key = quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
    keys.set(key, i - m[0].length + m[0].indexOf('"'));
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) {
      // a repeated key: the value JSON.parse kept is the last one, and the last occurrence is read last
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        const at: Place = { text, start: i, depth: depth + 1 };
        places.set(child, at);
        if (members && c === 123 && !Array.isArray(child)) {
          i = readKeys(at, child);
          continue;
        }
      }
    }
    i = skipValue(text, i, depth + 1);
  }
}

/** The offset after the value at `i` (valid JSON); refuses containers nesting deeper than MAX_NESTING in all. */
function skipValue(text: string, i: number, depth: number): number {
  const c = text.charCodeAt(i);
  const re = c === 34 ? STRING_AT : c !== 123 && c !== 91 ? SCALAR_AT : depth + SHALLOW_LEVELS - 1 <= MAX_NESTING ? SHALLOW_AT : undefined;
  if (re) {
    re.lastIndex = i;
    try {
      if (re.test(text)) return re.lastIndex;
    } catch (e) {
      // a container of tens of megabytes exhausts the pattern's backtracking stack: read it member by member
      if (!(e instanceof RangeError)) throw e;
    }
  }
  if (depth > MAX_NESTING) throw new FormatError(`nesting deeper than ${MAX_NESTING} levels at offset ${i}`, { offset: i });
  // a container deeper than SHALLOW_LEVELS: member by member
  const array = c === 91;
  i++;
  while (true) {
    const re = array ? ELEMENT : MEMBER;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) throw new Error(`JSON positions: nothing readable at offset ${i} of a text JSON.parse accepted`);
    i = re.lastIndex;
    if (array ? m[1] !== undefined : m[1] === undefined) return i;
    i = skipValue(text, i, depth + 1);
  }
}

/**
 * JSONC as JSON of the same length: comments become spaces (line breaks kept) and a trailing comma before `}`
 * or `]` becomes a space, so offsets into the result are offsets into the original.
 */
function blankJsonc(text: string): string {
  const blank: [number, number][] = [];
  const n = text.length;
  let comma = -1; // a comma that may turn out to be trailing
  let last = 0; // the last significant character (not blank, not a comment)
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf('\n', i);
      blank.push([i, end < 0 ? n : end]);
      i = end < 0 ? n : end;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new FormatError(`unterminated comment at offset ${i}`, { offset: i });
      blank.push([i, end + 2]);
      i = end + 2;
      continue;
    }
    if (c === 32 || c === 10 || c === 13 || c === 9) {
      i++;
      continue;
    }
    if ((c === 125 || c === 93) && comma >= 0) blank.push([comma, comma + 1]);
    // a comma right after an opening bracket or another comma is an error, not a trailing comma
    comma = c === 44 && last !== 123 && last !== 91 && last !== 44 ? i : -1;
    last = c;
    if (c === 34) {
      STRING_AT.lastIndex = i;
      i = STRING_AT.test(text) ? STRING_AT.lastIndex : n;
    } else {
      i++;
    }
  }
  if (blank.length === 0) return text;
  blank.sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  for (const [a, b] of blank) {
    out += text.slice(from, a) + text.slice(a, b).replace(/[^\r\n]/g, ' ');
    from = b;
  }
  return out + text.slice(from);
}

/** A string property or undefined. */
export function str(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** An object property or undefined (reading `o`'s keys, so that the child's own keys have positions). */
export function obj(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  if (!isObject(v)) return undefined;
  const place = places.get(o);
  if (place && !place.keys) readKeys(place, o);
  return v;
}

/**
 * A lockfile-style document: JSON (or JSONC) whose top level must be an object. Syntax errors read
 * "invalid JSON: …" ("invalid JSONC: …"), so every format names the problem the same way.
 */
export function parseJsonObject(text: string, options: { jsonc?: boolean } = {}): JsonObject {
  let doc: JsonValue;
  try {
    doc = parseJson(text, options);
  } catch (e) {
    throw new FormatError(`invalid ${options.jsonc ? 'JSONC' : 'JSON'}: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new FormatError('top level is not an object');
  return doc;
}

/**
 * JSON.parse for formats that need no positions, with the same errors as parseJson: FormatError on bad
 * syntax and on nesting deeper than MAX_NESTING (checked first, in one pass over the text).
 */
export function parseJsonText(text: string): unknown {
  checkJsonNesting(text);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new FormatError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Throws when arrays and objects nest deeper than MAX_NESTING (brackets inside strings do not count). */
export function checkJsonNesting(text: string): void {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_NESTING) throw tooDeep('JSON');
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
}
