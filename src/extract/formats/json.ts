/**
 * A small JSON / JSONC reader that remembers where each object key starts, so adapters can report
 * line numbers. JSON.parse gives no positions; lockfiles are the product, so we keep this in-house.
 *
 * `jsonc: true` accepts `//` and `/* *\/` comments and trailing commas (bun.lock, tsconfig style).
 * Errors throw FormatError with the offset; parseFile wraps it in a ParseError naming the file.
 */
import { FormatError, MAX_NESTING, tooDeep } from './error.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Offsets of keys, per parsed object. */
const keyOffsets = new WeakMap<object, Map<string, number>>();

/** Character offset of `key` inside `obj` (as parsed by parseJson), if known. */
export function keyOffset(obj: object, key: string): number | undefined {
  return keyOffsets.get(obj)?.get(key);
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(text: string, options: { jsonc?: boolean } = {}): JsonValue {
  const jsonc = options.jsonc === true;
  let i = 0;
  const n = text.length;

  function fail(msg: string): never {
    throw new FormatError(`${msg} at offset ${i}`, { offset: i });
  }

  function ws(): void {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        i++;
      } else if (jsonc && c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
        const end = text.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
      } else if (jsonc && c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail('unterminated comment');
        i = end + 2;
      } else {
        break;
      }
    }
  }

  function str(): string {
    // assumes text[i] === '"'
    i++;
    let out = '';
    let start = i;
    while (true) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c === 92) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad unicode escape');
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            i -= 1;
            fail('bad escape');
        }
        start = i;
        continue;
      }
      if (c < 32) fail('control character in string');
      i++;
    }
  }

  function value(depth: number): JsonValue {
    if (depth > MAX_NESTING) fail(`nesting deeper than ${MAX_NESTING} levels`);
    ws();
    if (i >= n) fail('unexpected end of input');
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: JsonObject = {};
      const offs = new Map<string, number>();
      keyOffsets.set(obj, offs);
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      while (true) {
        ws();
        if (jsonc && text[i] === '}') {
          i++;
          return obj;
        }
        if (text[i] !== '"') fail('expected string key');
        const at = i;
        const key = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        const v = value(depth + 1);
        // JSON objects may repeat keys; the last one wins, as in JSON.parse.
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        offs.set(key, at);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      while (true) {
        ws();
        if (jsonc && text[i] === ']') {
          i++;
          return arr;
        }
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    fail('unexpected character');
  }

  const v = value(0);
  ws();
  if (i < n) fail('trailing content');
  return v;
}

/** A string property or undefined. */
export function str(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** An object property or undefined. */
export function obj(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  return isObject(v) ? v : undefined;
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
