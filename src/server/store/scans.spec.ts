import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../synthetic.js';
import { reportRows } from './rows.js';
import type { FindingRow } from './rows.js';
import { CONTENT_COLUMNS, contentHash, diffOpenSet, findingsHash } from './scans.js';

/** A different value of the same type for one column. */
function changed(f: FindingRow, column: (typeof CONTENT_COLUMNS)[number]): FindingRow {
  const v = f[column];
  const other = Array.isArray(v) ? [...v, 'CVE-2099-77777'] : typeof v === 'number' ? v + 1 : v === null ? 'set' : `${v}x`;
  return { ...f, [column]: other };
}

describe('what a re-scan compares', () => {
  const rows = reportRows(syntheticReport({ seed: 3, findings: 40 })).findings;
  const f = rows.find((r) => r.fixed_version !== null && r.suppressed_by === null)!;

  it.each(CONTENT_COLUMNS.map((c) => [c]))('a change of %s changes the finding hash and the scan hash', (column) => {
    const g = changed(f, column);
    expect(contentHash(g)).not.toBe(contentHash(f));
    expect(findingsHash(rows.map((r) => (r === f ? g : r)))).not.toBe(findingsHash(rows));
  });

  it('null and the text "null" differ; so do a missing and an added finding, and the order of findings', () => {
    expect(contentHash({ ...f, title: null })).not.toBe(contentHash({ ...f, title: 'null' }));
    expect(contentHash({ ...f, fixed_version: null })).not.toBe(contentHash({ ...f, fixed_version: 'undefined' }));
    expect(findingsHash(rows.slice(1))).not.toBe(findingsHash(rows));
    expect(findingsHash([...rows].reverse())).not.toBe(findingsHash(rows));
    expect(findingsHash(rows.map((r) => ({ ...r })))).toBe(findingsHash(rows));
    // The key is part of the scan hash (not of the content hash).
    expect(findingsHash(rows.map((r) => (r === f ? { ...f, fingerprint: `${f.fingerprint}x` } : r)))).not.toBe(findingsHash(rows));
  });

  it('diffs a re-scan against the open set: writes the new, changed and returning, closes the gone, leaves the same', () => {
    const open = new Map<string, string | null>([
      ['a', 'h1'],
      ['b', 'h2'],
      ['c', 'h3'],
      ['d', null],
    ]);
    const incoming = [
      { k: 'a', h: 'h1' },
      { k: 'b', h: 'h2-changed' },
      { k: 'd', h: 'h4' },
      { k: 'e', h: 'h5' },
    ];
    const d = diffOpenSet(open, incoming, (x) => x.k, (x) => x.h);
    expect(d.write.map((x) => x.k)).toEqual(['b', 'd', 'e']);
    expect(d.close).toEqual(['c']);
  });
});
