/**
 * A 170,000-entry package-lock.json (about 50 MB, the size that used to end in "Maximum call stack size
 * exceeded" and 0 packages) extracts completely, and goes through the scanner's per-file step, which appended
 * the packages with push(...packages). Generated here, never committed; bench/lockfile.mjs times the same file.
 */
import { describe, expect, it } from 'vitest';
import { extractFile, type ExtractionResult } from '../../../scan/extract-files.js';
import { npmLockExtractor } from './index.js';

const ENTRIES = 170_000;

function bigLock(): string {
  const parts: string[] = ['{\n  "name": "big",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n    "": { "name": "big", "dependencies": { "pkg-0": "^1.0.0" } }'];
  for (let i = 0; i < ENTRIES; i++) {
    const name = i % 5 === 0 ? `@scope-${i % 97}/pkg-${i}` : `pkg-${i}`;
    const key = i % 3 === 0 ? `node_modules/pkg-${i + 1}/node_modules/${name}` : `node_modules/${name}`;
    parts.push(
      `,\n    "${key}": {\n      "version": "${i % 13}.${i % 29}.${i % 7}",\n      "resolved": "https://registry.npmjs.org/${name}/-/x.tgz",\n` +
        `      "integrity": "sha512-${'A'.repeat(86)}==",\n      "license": "MIT"${i % 4 === 0 ? ',\n      "dev": true' : ''}\n    }`,
    );
  }
  parts.push('\n  }\n}\n');
  return parts.join('');
}

describe('a 170,000-entry package-lock.json', () => {
  it('yields every package, through the extractor and the scanner step', async () => {
    const content = new TextEncoder().encode(bigLock());
    expect(content.length).toBeGreaterThan(45_000_000);
    const into: ExtractionResult = { packages: [], unknowns: [], errors: [] };
    await extractFile('package-lock.json', content, [npmLockExtractor], { read: () => Promise.resolve(undefined) }, into);
    expect(into.errors).toEqual([]);
    expect(into.packages).toHaveLength(ENTRIES);
    expect(into.packages.find((p) => p.name === 'pkg-1')).toMatchObject({ version: '1.1.1', purl: 'pkg:npm/pkg-1@1.1.1', locations: [{ path: 'package-lock.json', line: 14 }] });
  }, 300_000);
});
