import { describe, expect, it } from 'vitest';
import { declaringLocation, fixedLikeInstalled } from './table.js';

describe('table', () => {
  it('files a finding under the lockfile that declared it, not installed metadata', () => {
    expect(declaringLocation(['node_modules/lodash/package.json', 'yarn.lock'])).toBe('yarn.lock');
    expect(declaringLocation(['app/node_modules/a/node_modules/b/package.json', 'app/yarn.lock', 'app/node_modules/b/package.json'])).toBe('app/yarn.lock');
    expect(declaringLocation(['venv/lib/python3.11/site-packages/requests-2.0.0.dist-info/METADATA', 'requirements.txt'])).toBe('requirements.txt');
    expect(declaringLocation(['b/package-lock.json', 'a/b/c/package-lock.json'])).toBe('b/package-lock.json');
    expect(declaringLocation(['node_modules/x/package.json'])).toBe('node_modules/x/package.json');
    expect(declaringLocation([])).toBeUndefined();
  });

  it('shows the fixed version the way the installed one is written', () => {
    expect(fixedLikeInstalled('v1.2.0', '1.2.3')).toBe('v1.2.3');
    expect(fixedLikeInstalled('v1.2.0', '1.2.3, 1.3.1')).toBe('v1.2.3, v1.3.1');
    expect(fixedLikeInstalled('1.2.0', 'v1.2.3')).toBe('1.2.3');
    expect(fixedLikeInstalled('1:2.66-4', '1:2.66-5')).toBe('1:2.66-5');
    expect(fixedLikeInstalled('2.0.0', '2.0.1')).toBe('2.0.1');
  });
});
