import { describe, expect, it } from 'vitest';
import type { FindingEvent } from './event.js';
import { applyEvents, viewOf } from './tickets.js';

const ev = (kind: FindingEvent['kind'], id: string, fixed: string | null, extra: Partial<FindingEvent> = {}): FindingEvent => ({
  cursor: '1',
  kind,
  fingerprint: id,
  occurredAt: '2026-12-07T00:00:00Z',
  project: { id: 1, name: 'web', team: null },
  target: 'main',
  finding: { id, aliases: [], severity: 'HIGH', title: null, fixedVersion: fixed, package: { ecosystem: 'npm', name: 'lodash', version: '4.17.4', purl: 'pkg:npm/lodash@4.17.4' } },
  cause: { kind: 'scan', id: '1' },
  ...extra,
});

describe('ticket state', () => {
  it('titles a package ticket with the version that fixes all its open advisories (semver, not text order)', () => {
    const s = applyEvents(undefined, 'package', [ev('new', 'A', '4.17.9'), ev('new', 'B', '4.17.21'), ev('new', 'C', '4.17.12')]);
    expect(viewOf(s, null).title).toBe('[web] upgrade lodash from 4.17.4 to 4.17.21 fixes 3 advisories');
  });

  it('is open while a finding is open, fixed when none is, accepted risk when the rest is suppressed', () => {
    let s = applyEvents(undefined, 'package', [ev('new', 'A', '1'), ev('new', 'B', '1')]);
    expect(viewOf(s, null).status).toBe('open');
    s = applyEvents(s, 'package', [ev('fixed', 'A', '1')]);
    expect(viewOf(s, null).status).toBe('open');
    s = applyEvents(s, 'package', [ev('suppressed', 'B', '1', { suppression: { reason: 'not reachable', expires: '2027-01-01' } })]);
    expect(viewOf(s, null).status).toBe('accepted-risk');
    expect(viewOf(s, null).body).toContain('accepted risk: not reachable (until 2027-01-01)');
    s = applyEvents(s, 'package', [ev('fixed', 'B', '1')]);
    expect(viewOf(s, null).status).toBe('fixed');
  });

  it('applying the same events twice gives the same state', () => {
    const evs = [ev('new', 'A', '1'), ev('fixed', 'A', '1')];
    const once = applyEvents(undefined, 'advisory', evs);
    expect(applyEvents(once, 'advisory', evs)).toEqual(once);
  });
});
