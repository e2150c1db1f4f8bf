import { describe, expect, it } from 'vitest';
import type { FindingEvent } from './event.js';
import { routes, rulesFromProfile } from './routing.js';

const e = (over: Partial<FindingEvent> & { severity?: FindingEvent['finding']['severity'] } = {}): FindingEvent => ({
  cursor: '1',
  kind: 'new',
  fingerprint: 'f',
  occurredAt: '2026-12-07T00:00:00Z',
  project: { id: 1, name: 'web', team: 'payments' },
  target: 'main',
  finding: { id: 'CVE-2021-23337', aliases: [], severity: over.severity ?? 'HIGH', title: null, fixedVersion: '4.17.21', package: { ecosystem: 'npm', name: 'lodash', version: '4.17.4', purl: 'pkg:npm/lodash@4.17.4' } },
  cause: { kind: 'scan', id: '1' },
  ...over,
});

describe('routing rules', () => {
  it('a channel without rules gets every event', () => {
    expect(routes('slack', [{ channel: 'other', minSeverity: 'CRITICAL' }], e({ severity: 'LOW' }))).toBe(true);
  });

  it('kinds, severity, projects and teams narrow; any matching rule routes', () => {
    const rules = rulesFromProfile([{ channel: 'pager', events: ['new', 'reopened'], minSeverity: 'critical' }, { channel: 'pager', teams: ['payments'], events: ['fixed'] }], 'p.yaml');
    expect(routes('pager', rules, e({ severity: 'CRITICAL' }))).toBe(true);
    expect(routes('pager', rules, e({ severity: 'HIGH' }))).toBe(false);
    expect(routes('pager', rules, e({ kind: 'fixed' }))).toBe(true);
    expect(routes('pager', rules, e({ kind: 'fixed', project: { id: 2, name: 'api', team: null } }))).toBe(false);
    expect(routes('pager', [{ channel: 'pager', projects: ['api'] }], e())).toBe(false);
  });

  it('reads the shorthand forms and refuses what is wrong, naming the item', () => {
    expect(rulesFromProfile(['mail', { slack: '#api' }], 'p.yaml')).toEqual([{ channel: 'mail' }, { channel: '#api' }]);
    expect(() => rulesFromProfile([{ channel: 'x', events: ['created'] }], 'p.yaml')).toThrow(/p.yaml: notify\[0\]: "events" must list/);
    expect(() => rulesFromProfile([{ channel: 'x', minSeverity: 'severe' }], 'p.yaml')).toThrow(/minSeverity/);
    expect(() => rulesFromProfile([{ channel: 'x', color: 'red' }], 'p.yaml')).toThrow(/unknown key "color"/);
  });
});
