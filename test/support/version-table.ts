/**
 * Reader of the version-pair tables in __fixtures__/<scheme>-versions.txt: "a < b", "a = b", "a > b" lines,
 * "! v" for a version the scheme must reject, '#' comments. Versions never contain spaces; the operator is
 * the middle token.
 */
import fs from 'node:fs';

export interface FixturePair {
  a: string;
  op: '<' | '=' | '>';
  b: string;
  line: number;
}

export interface FixtureTable {
  pairs: FixturePair[];
  invalid: { v: string; line: number }[];
  /** The first comment lines (source citations). */
  header: string[];
}

export function parseFixtureTable(text: string): FixtureTable {
  const pairs: FixturePair[] = [];
  const invalid: { v: string; line: number }[] = [];
  const header: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      header.push(line);
      return;
    }
    if (line.startsWith('! ')) {
      invalid.push({ v: line.slice(2), line: i + 1 });
      return;
    }
    const m = /^(\S+) ([<=>]) (\S+)$/.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not "a <op> b": ${raw}`);
    pairs.push({ a: m[1]!, op: m[2] as '<' | '=' | '>', b: m[3]!, line: i + 1 });
  });
  return { pairs, invalid, header };
}

export function readFixtureTable(file: string): FixtureTable {
  return parseFixtureTable(fs.readFileSync(file, 'utf8'));
}

export const OP_RESULT = { '<': -1, '=': 0, '>': 1 } as const;
