import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FixtureTable } from '../../test/support/version-table.js';
import { OP_RESULT, readFixtureTable } from '../../test/support/version-table.js';
import { SCHEMES } from './registry.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

/** Minimum pairs per table: hundreds for the OS schemes and PEP 440, dozens for the others. */
const MIN_PAIRS: Record<string, number> = { deb: 300, apk: 300, rpm: 300, pep440: 300 };

describe.each(SCHEMES.filter((s) => s.id !== 'generic').map((s) => [s.id, s] as const))('%s conformance table', (id, scheme) => {
  const file = path.join(FIXTURES, `${id}-versions.txt`);
  let cached: FixtureTable | undefined;
  const load = (): FixtureTable => (cached ??= readFixtureTable(file));

  it('cites its sources and has enough pairs', () => {
    const table = load();
    expect(table.header.some((h) => /Source:/.test(h))).toBe(true);
    expect(table.pairs.length).toBeGreaterThanOrEqual(MIN_PAIRS[id] ?? 30);
  });

  it('orders every pair as the reference implementation does, both ways round', () => {
    const table = load();
    const failures: string[] = [];
    for (const p of table.pairs) {
      const want = OP_RESULT[p.op];
      try {
        const got = scheme.compare(p.a, p.b);
        const back = scheme.compare(p.b, p.a);
        if (got !== want) failures.push(`line ${p.line}: ${p.a} ${p.op} ${p.b}: got ${got}`);
        if (back !== -want) failures.push(`line ${p.line}: antisymmetry: compare(${p.b}, ${p.a}) = ${back}`);
      } catch (e) {
        failures.push(`line ${p.line}: ${p.a} ${p.op} ${p.b}: threw ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('accepts every version of the table and rejects the invalid ones', () => {
    const table = load();
    for (const p of table.pairs) {
      expect(scheme.isValid(p.a), p.a).toBe(true);
      expect(scheme.isValid(p.b), p.b).toBe(true);
    }
    for (const { v } of table.invalid) {
      expect(scheme.isValid(v), v).toBe(false);
      expect(() => scheme.compare(v, v)).toThrow(/invalid/);
    }
  });
});

it('every fixtures file belongs to a registered scheme', () => {
  const ids = new Set(SCHEMES.map((s) => s.id));
  for (const f of fs.readdirSync(FIXTURES).filter((n) => n.endsWith('-versions.txt'))) {
    expect(ids.has(f.replace(/-versions\.txt$/, '')), f).toBe(true);
  }
});
