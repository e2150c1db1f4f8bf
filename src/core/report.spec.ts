import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION } from './report.js';
import { readPackageJson } from '../util/package-root.js';

describe('report schema version', () => {
  it('is semver and matches the pattern schemas/report.schema.json accepts for schemaVersion', () => {
    const schema = readPackageJson<{ properties: { schemaVersion: { pattern: string } } }>('schemas/report.schema.json');
    expect(REPORT_SCHEMA_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(REPORT_SCHEMA_VERSION).toMatch(new RegExp(schema.properties.schemaVersion.pattern));
  });
});
