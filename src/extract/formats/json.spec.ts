import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isObject, keyOffset, obj, parseJson, parseJsonObject } from './json.js';
import type { JsonObject, JsonValue } from './json.js';

/** Every key of every object reached through objects, with the offset keyOffset gives for it. */
function offsets(doc: JsonObject, visit: (o: JsonObject, key: string, at: number | undefined) => void): void {
  for (const key of Object.keys(doc)) {
    visit(doc, key, keyOffset(doc, key));
    const child = obj(doc, key);
    if (child) offsets(child, visit);
  }
}

describe('parseJson', () => {
  it('gives the values JSON.parse gives and the offset of every key reached through objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 5 })), fc.constantFrom(undefined, 0, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const doc = parseJsonObject(text);
        expect(doc).toEqual(JSON.parse(text));
        offsets(doc, (_o, key, at) => {
          expect(at).toBeDefined();
          expect(text.slice(at, at! + JSON.stringify(key).length)).toBe(JSON.stringify(key));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('places keys with escapes, braces inside strings and repeated keys (the last one, as JSON.parse keeps)', () => {
    const text = '{"a\\"b": "}{][", "\\u0041": {"x": 1}, "k": {"y": {"z": 1}}, "k": {"y": {"w": [{"}": 2}]}}}';
    const doc = parseJsonObject(text);
    expect(keyOffset(doc, 'a"b')).toBe(1);
    expect(keyOffset(doc, 'A')).toBe(text.indexOf('"\\u0041"'));
    expect(keyOffset(doc, 'k')).toBe(text.lastIndexOf('"k"'));
    const y = obj(obj(doc, 'k')!, 'y')!;
    expect(Object.keys(y)).toEqual(['w']);
    expect(keyOffset(y, 'w')).toBe(text.indexOf('"w"'));
    expect(keyOffset(doc, 'missing')).toBeUndefined();
  });

  it('places members nested deeper than the shallow pattern reads at once', () => {
    const deep = (n: number): JsonValue => (n === 0 ? { leaf: 1 } : { [`d${n}`]: deep(n - 1), list: [[[[[n]]]]] });
    const text = JSON.stringify({ first: deep(9), last: true }, null, 1);
    const doc = parseJsonObject(text);
    expect(keyOffset(doc, 'last')).toBe(text.indexOf('"last"'));
    let o = obj(doc, 'first')!;
    for (let n = 9; n > 0; n--) {
      expect(keyOffset(o, `d${n}`)).toBe(text.indexOf(`"d${n}"`));
      o = obj(o, `d${n}`)!;
    }
    expect(keyOffset(o, 'leaf')).toBe(text.indexOf('"leaf"'));
  });

  it('refuses nesting deeper than 256 levels, in objects and arrays, and accepts 256', () => {
    expect(() => parseJson(`${'['.repeat(256)}${']'.repeat(256)}`)).not.toThrow();
    expect(() => parseJson(`${'['.repeat(257)}${']'.repeat(257)}`)).toThrow(/nesting deeper than 256 levels/);
    expect(() => parseJson(`{"a":${'{"b":'.repeat(300)}1${'}'.repeat(300)}}`)).toThrow(/nesting deeper than 256 levels/);
    expect(() => parseJsonObject(`{"p":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)).toThrow(/invalid JSON: nesting deeper than 256 levels/);
  });

  it('reports bad syntax as invalid JSON', () => {
    expect(() => parseJsonObject('{"a": 1,}')).toThrow(/^invalid JSON: /);
    expect(() => parseJsonObject('[1]')).toThrow('top level is not an object');
  });
});

describe('parseJson with jsonc', () => {
  it('accepts comments and trailing commas, keeping offsets and lines of the original text', () => {
    const text = '{\n  // a comment with "quotes" and { braces\n  "a": [1, 2,], /* block\n  comment */ "b": {"c": "// not a comment",},\n}\n';
    const doc = parseJsonObject(text, { jsonc: true });
    expect(doc).toEqual({ a: [1, 2], b: { c: '// not a comment' } });
    expect(keyOffset(doc, 'a')).toBe(text.indexOf('"a"'));
    expect(keyOffset(doc, 'b')).toBe(text.indexOf('"b"'));
    expect(keyOffset(obj(doc, 'b')!, 'c')).toBe(text.indexOf('"c"'));
  });

  it('refuses a comma with nothing before it and an unterminated comment', () => {
    expect(() => parseJsonObject('{"a": [,]}', { jsonc: true })).toThrow(/^invalid JSONC: /);
    expect(() => parseJsonObject('{,}', { jsonc: true })).toThrow(/^invalid JSONC: /);
    expect(() => parseJsonObject('{"a": 1 /* open', { jsonc: true })).toThrow(/^invalid JSONC: unterminated comment/);
  });

  it('is plain JSON without comments', () => {
    expect(isObject(parseJson('{"a": {"b": []}}', { jsonc: true }))).toBe(true);
  });
});
