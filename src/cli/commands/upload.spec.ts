import { describe, expect, it } from 'vitest';
import type { CiContext } from '../../core/ci.js';
import { withCiContext } from './upload.js';

const CI: CiContext = { provider: 'gitlab', apiUrl: 'https://gitlab.example.com/api/v4', project: '42', mergeRequest: 7, sha: 'a'.repeat(40) };

describe('upload adds the CI context', () => {
  it('to a Bulwark report without one', () => {
    const out = JSON.parse(withCiContext(JSON.stringify({ tool: { name: 'bulwark' }, findings: [] }), CI)) as { ci: CiContext };
    expect(out.ci).toEqual(CI);
  });
  it('never over a report that has one, to another scanner’s report, to what is not JSON, or outside CI', () => {
    const own = JSON.stringify({ tool: { name: 'bulwark' }, ci: { ...CI, mergeRequest: 1 } });
    expect(withCiContext(own, CI)).toBe(own);
    const trivy = JSON.stringify({ SchemaVersion: 2, Results: [] });
    expect(withCiContext(trivy, CI)).toBe(trivy);
    expect(withCiContext('<xml/>', CI)).toBe('<xml/>');
    expect(withCiContext('{"tool":{"name":"bulwark"}}', null)).toBe('{"tool":{"name":"bulwark"}}');
  });
});
