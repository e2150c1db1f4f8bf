import crypto from 'node:crypto';
import type { Severity } from '../../../src/core/severity.js';
import type { FindingEvent, FindingEventKind } from '../../../src/server/notify/event.js';

/**
 * Realistic finding events as the monitoring side (issue 13) emits them; advisories and versions are real
 * (lodash CVE-2021-23337 / CVE-2020-8203 / CVE-2019-10744 fixed in 4.17.21/4.17.19/4.17.12; minimist
 * CVE-2021-44906 fixed in 1.2.6).
 */
export const ADVISORIES: { id: string; pkg: string; version: string; fixed: string | null; severity: Severity; title: string }[] = [
  { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.4', fixed: '4.17.21', severity: 'HIGH', title: 'Command injection in lodash' },
  { id: 'CVE-2020-8203', pkg: 'lodash', version: '4.17.4', fixed: '4.17.19', severity: 'HIGH', title: 'Prototype pollution in zipObjectDeep' },
  { id: 'CVE-2019-10744', pkg: 'lodash', version: '4.17.4', fixed: '4.17.12', severity: 'CRITICAL', title: 'Prototype pollution in defaultsDeep' },
  { id: 'CVE-2021-44906', pkg: 'minimist', version: '1.2.5', fixed: '1.2.6', severity: 'CRITICAL', title: 'Prototype pollution in minimist' },
];

let cursor = 0;

export function resetCursor(to = 0): void {
  cursor = to;
}

export function event(kind: FindingEventKind, project: { id: number; name: string; team: string | null }, a: (typeof ADVISORIES)[number], extra: Partial<FindingEvent> = {}): FindingEvent {
  cursor++;
  const purl = `pkg:npm/${a.pkg}@${a.version}`;
  return {
    cursor: String(cursor),
    kind,
    fingerprint: crypto.createHash('sha256').update(`${project.id}\nmain\n${a.id}\nnpm\n${a.pkg}\n${a.version}`).digest('hex'),
    occurredAt: new Date().toISOString(),
    project,
    target: 'main',
    finding: { id: a.id, aliases: [], severity: a.severity, title: a.title, fixedVersion: a.fixed, package: { ecosystem: 'npm', name: a.pkg, version: a.version, purl } },
    cause: { kind: 'db-refresh', id: 'refresh-1' },
    ...extra,
  };
}
