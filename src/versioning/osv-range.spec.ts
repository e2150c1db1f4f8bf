import { describe, expect, it } from 'vitest';
import type { AffectedRange, RangeEvent } from '../core/advisory.js';
import { evaluateAffected } from './osv-range.js';
import { getScheme } from './registry.js';

const semver = getScheme('semver');
const deb = getScheme('deb');
const R = (type: AffectedRange['type'], ...events: RangeEvent[]): AffectedRange => ({ type, events });
const ev = (ranges: AffectedRange[], versions: string[] = []) => ({ ranges, versions });

describe('evaluateAffected', () => {
  it.each([
    // [version, events, expected status]
    ['1.0.0', [{ introduced: '1.0.0' }, { fixed: '1.2.3' }], 'affected'],
    ['1.2.2', [{ introduced: '1.0.0' }, { fixed: '1.2.3' }], 'affected'],
    ['1.2.3', [{ introduced: '1.0.0' }, { fixed: '1.2.3' }], 'not-affected'],
    ['0.9.9', [{ introduced: '1.0.0' }, { fixed: '1.2.3' }], 'not-affected'],
    ['1.2.3-rc.1', [{ introduced: '1.0.0' }, { fixed: '1.2.3' }], 'affected'],
    ['0.0.1', [{ introduced: '0' }, { fixed: '1.0.0' }], 'affected'],
    ['1.0.0', [{ introduced: '0' }], 'affected'],
    // unordered events are sorted first
    ['1.1.0', [{ fixed: '1.2.3' }, { introduced: '1.0.0' }], 'affected'],
    ['2.5.0', [{ fixed: '3.0.0' }, { fixed: '1.5.0' }, { introduced: '2.0.0' }, { introduced: '1.0.0' }], 'affected'],
    ['1.7.0', [{ fixed: '3.0.0' }, { fixed: '1.5.0' }, { introduced: '2.0.0' }, { introduced: '1.0.0' }], 'not-affected'],
    // last_affected is inclusive
    ['1.4.0', [{ introduced: '1.0.0' }, { last_affected: '1.4.0' }], 'affected'],
    ['1.4.1', [{ introduced: '1.0.0' }, { last_affected: '1.4.0' }], 'not-affected'],
    // limit caps the range
    ['1.9.0', [{ introduced: '0' }, { limit: '2.0.0' }], 'affected'],
    ['2.0.0', [{ introduced: '0' }, { limit: '2.0.0' }], 'not-affected'],
    ['5.0.0', [{ introduced: '0' }, { limit: '*' }], 'affected'],
  ] as const)('%s in %j → %s', (version, events, status) => {
    expect(evaluateAffected(semver, version, ev([R('SEMVER', ...events)])).status).toBe(status);
  });

  it('names the range that contains the version', () => {
    expect(evaluateAffected(semver, '1.1.0', ev([R('ECOSYSTEM', { introduced: '1.0.0' }, { fixed: '1.2.3' })]))).toEqual({
      status: 'affected',
      fixed: '1.2.3',
      why: '>=1.0.0, <1.2.3 (ECOSYSTEM)',
    });
    const v = evaluateAffected(semver, '1.3.0', ev([R('SEMVER', { introduced: '0' }, { last_affected: '1.4.0' })]));
    expect(v).toEqual({ status: 'affected', why: '>=0, <=1.4.0 (SEMVER)' });
  });

  it('a version in the versions list is affected, even without ranges', () => {
    expect(evaluateAffected(semver, '1.0.5', ev([], ['1.0.4', '1.0.5']))).toMatchObject({ status: 'affected', why: expect.stringContaining('1.0.5') });
    expect(evaluateAffected(semver, 'v1.0.5', ev([], ['1.0.5'])).status).toBe('affected');
    expect(evaluateAffected(semver, '1.0.6', ev([], ['1.0.4', '1.0.5'])).status).toBe('not-affected');
  });

  it('evaluates several ranges and picks the lowest fixed version above the installed one', () => {
    const ranges = [
      R('ECOSYSTEM', { introduced: '2.0.0' }, { fixed: '2.3.1' }),
      R('ECOSYSTEM', { introduced: '1.0.0' }, { fixed: '1.5.2' }),
      R('ECOSYSTEM', { introduced: '3.0.0' }, { fixed: '3.0.4' }),
    ];
    expect(evaluateAffected(semver, '2.1.0', ev(ranges))).toMatchObject({ status: 'affected', fixed: '2.3.1', why: '>=2.0.0, <2.3.1 (ECOSYSTEM)' });
    expect(evaluateAffected(semver, '1.0.0', ev(ranges))).toMatchObject({ status: 'affected', fixed: '1.5.2' });
    expect(evaluateAffected(semver, '1.6.0', ev(ranges)).status).toBe('not-affected');
    expect(evaluateAffected(semver, '3.1.0', ev(ranges)).status).toBe('not-affected');
  });

  it('skips a fixed version that another range still covers', () => {
    const ranges = [R('ECOSYSTEM', { introduced: '0' }, { fixed: '1.5.0' }), R('ECOSYSTEM', { introduced: '1.2.0' }, { fixed: '1.3.0' })];
    expect(evaluateAffected(semver, '1.2.5', ev(ranges))).toMatchObject({ status: 'affected', fixed: '1.5.0' });
  });

  it('no fixed version above the installed one leaves fixed undefined', () => {
    const v = evaluateAffected(semver, '2.0.0', ev([R('SEMVER', { introduced: '0' }, { fixed: '1.0.0' }, { introduced: '1.5.0' })]));
    expect(v.status).toBe('affected');
    expect(v).not.toHaveProperty('fixed');
  });

  it('GIT-only ranges are unknown, never a match or a miss', () => {
    const git: AffectedRange = { type: 'GIT', repo: 'https://example.invalid/x.git', events: [{ introduced: '0' }, { fixed: 'abc123' }] };
    const v = evaluateAffected(semver, '1.0.0', ev([git]));
    expect(v.status).toBe('unknown');
    expect(v).toMatchObject({ reason: expect.stringMatching(/GIT/) });
  });

  it('a SEMVER/ECOSYSTEM range or the versions list decides when there is a GIT range beside it', () => {
    const git: AffectedRange = { type: 'GIT', repo: 'https://example.invalid/x.git', events: [{ introduced: '0' }, { fixed: 'abc123' }] };
    expect(evaluateAffected(semver, '1.0.0', ev([git, R('ECOSYSTEM', { introduced: '0' }, { fixed: '1.1.0' })])).status).toBe('affected');
    expect(evaluateAffected(semver, '1.0.0', ev([git], ['1.0.0'])).status).toBe('affected');
    expect(evaluateAffected(semver, '1.2.0', ev([git, R('ECOSYSTEM', { introduced: '0' }, { fixed: '1.1.0' })])).status).toBe('not-affected');
  });

  it('an invalid installed version is unknown', () => {
    const v = evaluateAffected(semver, 'not-a-version', ev([R('SEMVER', { introduced: '0' }, { fixed: '1.0.0' })]));
    expect(v.status).toBe('unknown');
    expect(v).toMatchObject({ reason: expect.stringContaining('not-a-version') });
  });

  it('an invalid event version makes its range unknown, naming the value', () => {
    const bad = R('ECOSYSTEM', { introduced: '0' }, { fixed: 'banana' });
    const v = evaluateAffected(semver, '1.0.0', ev([bad]));
    expect(v).toMatchObject({ status: 'unknown', reason: expect.stringContaining('"banana"') });
    // another range saying affected wins
    expect(evaluateAffected(semver, '1.0.0', ev([bad, R('ECOSYSTEM', { introduced: '0' }, { fixed: '2.0.0' })])).status).toBe('affected');
    // another range saying not-affected does not win over the unknown one
    expect(evaluateAffected(semver, '3.0.0', ev([bad, R('ECOSYSTEM', { introduced: '0' }, { fixed: '2.0.0' })])).status).toBe('unknown');
  });

  it('the generic scheme never says not-affected', () => {
    const g = getScheme('generic');
    expect(evaluateAffected(g, '1.0', ev([R('ECOSYSTEM', { introduced: '0' }, { fixed: '2.0' })])).status).toBe('unknown');
    expect(evaluateAffected(g, '1.0', ev([], ['1.0'])).status).toBe('affected');
  });

  it('nothing to evaluate is unknown', () => {
    expect(evaluateAffected(semver, '1.0.0', ev([])).status).toBe('unknown');
  });

  it('works with distro schemes (Debian epochs and tildes)', () => {
    const r = ev([R('ECOSYSTEM', { introduced: '0' }, { fixed: '1:2.3-4' })]);
    expect(evaluateAffected(deb, '2.9-1', r).status).toBe('affected');
    expect(evaluateAffected(deb, '1:2.3-4~deb12u1', r).status).toBe('affected');
    expect(evaluateAffected(deb, '1:2.3-4', r).status).toBe('not-affected');
    expect(evaluateAffected(deb, '1:2.3-4+deb12u1', r).status).toBe('not-affected');
  });
});

describe('advisory-side leniency', () => {
  it('reads a partial semver event ("1.0", as GHSA-r683-j2x4-v87g has) as 1.0.0, but never an installed version', async () => {
    const { semverScheme } = await import('./schemes/semver.js');
    const affected = { ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '1.0' }, { fixed: '2.6.7' }] }], versions: [] };
    expect(evaluateAffected(semverScheme, '2.6.0', affected)).toMatchObject({ status: 'affected', fixed: '2.6.7' });
    expect(evaluateAffected(semverScheme, '0.9.0', affected)).toEqual({ status: 'not-affected' });
    expect(evaluateAffected(semverScheme, '2.6', affected).status).toBe('unknown');
  });
});
