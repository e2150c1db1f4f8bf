import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfileFile } from '../../../src/policy/profile.js';
import { rulesFromProfile } from '../../../src/server/notify/routing.js';

/** `profile validate` checks profiles with parseProfileFile; the `notify:` rules are part of its schema. */
describe('notify: rules in security profiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-notify-profile-'));
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('accepts channel names, rule objects and the {type: name} shorthand, and they become rules', () => {
    const f = write('ok.yaml', 'notify:\n  - mail\n  - slack: "#api"\n  - channel: pager\n    events: [new, reopened]\n    minSeverity: critical\n    teams: [payments]\n');
    const parsed = parseProfileFile(f, 'ok.yaml');
    expect(parsed.problems).toEqual([]);
    expect(rulesFromProfile(parsed.data?.notify ?? [], 'ok.yaml')).toEqual([{ channel: 'mail' }, { channel: '#api' }, { channel: 'pager', events: ['new', 'reopened'], minSeverity: 'CRITICAL', teams: ['payments'] }]);
  });

  it('reports a wrong rule at its line', () => {
    const f = write('bad.yaml', 'gate:\n  failOn: high\nnotify:\n  - channel: pager\n    events: [created]\n');
    const parsed = parseProfileFile(f, 'bad.yaml');
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(parsed.problems.every((p) => p.file === 'bad.yaml' && p.severity === 'error')).toBe(true);
    expect(parsed.problems.some((p) => p.line !== undefined && p.line >= 3)).toBe(true);
  });
});
