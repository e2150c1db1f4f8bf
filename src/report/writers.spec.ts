/**
 * Golden output of every report writer: two real scan reports (test/fixtures/report/README.md says where they come
 * from) rendered in every format, compared byte for byte with test/fixtures/report/golden/<report>.<format>.
 * Intended changes: `npx vitest run src/report/writers.spec.ts -u`, then review the diff.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../core/report.js';
import { FIXTURES_DIR } from '../../test/support/fixtures.js';
import { FORMAT_NAMES, REPORTERS, render, reporter } from './registry.js';

const DIR = path.join(FIXTURES_DIR, 'report');
const REPORTS = ['pnpm', 'image-minbase'] as const;

function load(name: string): ScanReport {
  return JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as ScanReport;
}

describe('report writers: golden files per format', () => {
  // json is the report itself (pinned below), not a golden file.
  const cases = REPORTS.flatMap((r) => REPORTERS.filter((w) => w.name !== 'json').map((w) => [r, w.name, w.extension] as const));

  it.each(cases)('%s as %s', async (name, format, extension) => {
    const out = await render(load(name), format, { color: false });
    await expect(out).toMatchFileSnapshot(path.join(DIR, 'golden', `${name}.${format === 'gitlab' ? 'gitlab.json' : extension}`));
  });

  it.each(cases)('%s as %s is the same on a second run (no clock, no randomness)', async (name, format) => {
    expect(await render(load(name), format, { color: false })).toBe(await render(load(name), format, { color: false }));
  });
});

describe('report registry', () => {
  it.each([
    ['table', 'txt'],
    ['json', 'json'],
    ['sarif', 'sarif'],
    ['cyclonedx', 'cdx.json'],
    ['spdx-json', 'spdx.json'],
    ['junit', 'xml'],
    ['gitlab', 'json'],
    ['html', 'html'],
    ['markdown', 'md'],
  ])('%s writes .%s', (name, extension) => {
    expect(reporter(name).extension).toBe(extension);
  });

  it('lists each format once', () => {
    expect(new Set(FORMAT_NAMES).size).toBe(FORMAT_NAMES.length);
    expect(FORMAT_NAMES).toHaveLength(9);
  });

  it.each(['', 'JSON', 'yaml', 'csv'])('an unknown format %j is a usage error naming the formats', (name) => {
    expect(() => reporter(name)).toThrow(expect.objectContaining({ code: 'BULWARK_E_USAGE', hint: `use one of: ${FORMAT_NAMES.join(', ')}` }));
  });

  it('json is the report itself, indented', async () => {
    const report = load('pnpm');
    expect(JSON.parse(await render(report, 'json', { color: false }))).toEqual(report);
  });
});
