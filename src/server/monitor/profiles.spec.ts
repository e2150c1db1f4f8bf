import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FindingEvent } from '../events/types.js';
import { routes } from '../notify/routing.js';
import { ProfileSet } from './profiles.js';

function repo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-profiles-notify-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function event(project: string, severity: FindingEvent['finding']['severity']): FindingEvent {
  return {
    cursor: '1',
    kind: 'new',
    fingerprint: '0'.repeat(64),
    occurredAt: '2026-12-07T10:00:00.000Z',
    project: { id: 1, name: project, team: null },
    target: 'main',
    finding: { id: 'GHSA-x', aliases: [], severity, title: null, fixedVersion: '1.0.1', package: { ecosystem: 'npm', name: 'x', version: '1.0.0', purl: 'pkg:npm/x@1.0.0' } },
    cause: { kind: 'scan', id: '1' },
  };
}

describe("the profiles' notify: rules, as the server's notifier applies them", () => {
  const profiles = new ProfileSet(
    repo({
      'defaults.yaml': 'notify:\n  - channel: slack\n    minSeverity: critical\n',
      'projects/alpha.yaml': 'notify:\n  - hook\n',
    }),
  );
  profiles.sync();
  const rules = profiles.notifyRules();

  it.each([
    // alpha has its own profile: its list (hook, every severity) and not the defaults' (slack).
    ['hook', 'alpha', 'LOW', true],
    ['slack', 'alpha', 'CRITICAL', false],
    // beta has none: the defaults' list applies (slack from CRITICAL); hook has rules, none for beta.
    ['slack', 'beta', 'CRITICAL', true],
    ['slack', 'beta', 'HIGH', false],
    ['hook', 'beta', 'CRITICAL', false],
    // A channel no rule names gets every event.
    ['mail', 'beta', 'LOW', true],
  ] as const)('%s gets a %s/%s event: %s', (channel, project, severity, expected) => {
    expect(routes(channel, rules, event(project, severity))).toBe(expected);
  });

  it('no repository, or before the first sync: no rules', () => {
    expect(new ProfileSet(undefined).notifyRules()).toEqual([]);
  });
});
