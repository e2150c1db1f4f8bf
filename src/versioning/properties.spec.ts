/**
 * Property tests per scheme: on generated valid versions compare is reflexive, antisymmetric and transitive,
 * and (where the scheme has a canonical spelling) canonicalize round-trips. SemVer, PEP 440 and RubyGems are
 * also checked against independent implementations (node-semver, @renovatebot/pep440, @renovatebot/ruby-semver).
 */
import pep440ref from '@renovatebot/pep440';
import { Version as GemRef } from '@renovatebot/ruby-semver/dist/ruby/version.js';
import fc from 'fast-check';
import nodeSemver from 'semver';
import { describe, expect, it } from 'vitest';
import { getScheme } from './registry.js';
import { hasCanonicalForm } from './types.js';

const num = fc.integer({ min: 0, max: 30 }).map(String);
const bigNum = fc.oneof(num, fc.integer({ min: 0, max: 99999 }).map(String));
const word = (chars: string, max = 4) => fc.string({ unit: fc.constantFrom(...chars.split('')), minLength: 1, maxLength: max });
const join = (...parts: fc.Arbitrary<string>[]) => fc.tuple(...parts).map((xs) => xs.join(''));
const opt = (a: fc.Arbitrary<string>) => fc.option(a, { nil: '' }).map((x) => x ?? '');
const list = (a: fc.Arbitrary<string>, sep: string, min = 1, max = 4) => fc.array(a, { minLength: min, maxLength: max }).map((xs) => xs.join(sep));

const semverPre = fc.oneof(num, word('abrcz-', 5).filter((s) => !/^[0-9]+$/.test(s)));
const semverGen = join(num, fc.constant('.'), num, fc.constant('.'), num, opt(join(fc.constant('-'), list(semverPre, '.'))), opt(join(fc.constant('+'), list(word('abc012', 3), '.'))));
const goGen = fc.oneof(
  semverGen.map((v) => `v${v}`),
  join(fc.constant('v'), num, opt(join(fc.constant('.'), num))),
  join(fc.constant('v'), num, fc.constant('.'), num, fc.constant('.'), num, fc.constant('-0.'), fc.integer({ min: 20190101000000, max: 20251231235959 }).map(String), fc.constant('-abcdef012345')),
);
const pepGen = join(
  opt(join(num, fc.constant('!'))),
  list(num, '.', 1, 4),
  opt(join(fc.constantFrom('a', 'b', 'rc', 'alpha', '.beta', '-c', 'pre', 'preview'), opt(num))),
  opt(fc.oneof(join(fc.constant('.post'), num), join(fc.constant('-'), num), fc.constant('.r'))),
  opt(join(fc.constantFrom('.dev', 'dev', '-dev'), opt(num))),
  opt(join(fc.constant('+'), list(fc.oneof(num, word('abcz', 3)), '.', 1, 3))),
);
// Realistic shapes only: Maven's own ComparableVersion (3.9.6, checked with its jar) is not transitive on mixed
// inline qualifiers, e.g. 16.foo.0 > 16 > 16.alpha > 16.foo.0, and this implementation reproduces that faithfully.
const mavenQualifier = fc.constantFrom('alpha', 'beta', 'milestone', 'rc', 'cr', 'SNAPSHOT', 'sp', 'ga', 'final', 'RELEASE', 'foo', 'jre', 'M', 'a', 'b');
const mavenGen = join(
  list(num, '.', 1, 4),
  opt(join(fc.constantFrom('-', '.'), mavenQualifier, opt(join(fc.constantFrom('-', ''), num)))),
  opt(join(fc.constant('-'), num)),
);
const gemGen = join(num, fc.array(fc.oneof(num, word('abprc', 4)), { maxLength: 4 }).map((xs) => xs.map((x) => `.${x}`).join('')));
const composerGen = join(
  opt(fc.constant('v')),
  list(num, '.', 1, 4),
  opt(join(fc.constantFrom('-', '', '.'), fc.constantFrom('alpha', 'beta', 'b', 'RC', 'rc', 'patch', 'pl', 'p', 'stable'), opt(list(num, '.', 1, 2)))),
  opt(fc.constant('-dev')),
);
const nugetGen = join(list(num, '.', 1, 4), opt(join(fc.constant('-'), list(fc.oneof(num, word('abRCz', 4).filter((s) => !/^[0-9]+$/.test(s))), '.'))), opt(fc.constant('+meta')));
const debGen = join(
  opt(join(num, fc.constant(':'))),
  join(num, opt(word('0123456789.+~abz', 8))),
  opt(join(fc.constant('-'), word('0123456789.+~abuntu', 6))),
);
const apkGen = join(
  list(bigNum, '.', 1, 4),
  opt(word('abz', 1)),
  fc.array(join(fc.constantFrom('_alpha', '_beta', '_pre', '_rc', '_cvs', '_svn', '_git', '_hg', '_p'), opt(num)), { maxLength: 2 }).map((x) => x.join('')),
  opt(join(fc.constant('-r'), num)),
);
const rpmGen = join(
  opt(join(num, fc.constant(':'))),
  word('0123456789.abz~^_+', 8).filter((s) => !s.includes('-')),
  opt(join(fc.constant('-'), word('0123456789.elz~^_', 6))),
);

const GENERATORS: Record<string, fc.Arbitrary<string>> = {
  semver: semverGen,
  go: goGen,
  pep440: pepGen,
  maven: mavenGen,
  rubygems: gemGen,
  composer: composerGen,
  nuget: nugetGen,
  deb: debGen,
  apk: apkGen,
  rpm: rpmGen,
};

describe.each(Object.entries(GENERATORS))('%s properties', (id, arb) => {
  const scheme = getScheme(id);
  const valid = arb.filter((v) => scheme.isValid(v));

  it('the generator yields mostly valid versions', () => {
    const sample = fc.sample(arb, 300);
    expect(sample.filter((v) => scheme.isValid(v)).length).toBeGreaterThan(150);
  });

  it('compare is reflexive and antisymmetric', () => {
    fc.assert(
      fc.property(valid, valid, (a, b) => {
        expect(scheme.compare(a, a)).toBe(0);
        const ab = scheme.compare(a, b);
        expect([-1, 0, 1]).toContain(ab);
        expect(scheme.compare(b, a)).toBe(-ab || 0);
      }),
      { numRuns: 500 },
    );
  });

  it('compare is transitive', () => {
    fc.assert(
      fc.property(fc.array(valid, { minLength: 3, maxLength: 8 }), (vs) => {
        const sorted = [...vs].sort((x, y) => scheme.compare(x, y));
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) expect(scheme.compare(sorted[i]!, sorted[j]!)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it.runIf(hasCanonicalForm(scheme))('canonicalize round-trips', () => {
    if (!hasCanonicalForm(scheme)) return;
    fc.assert(
      fc.property(valid, (v) => {
        const c = scheme.canonicalize(v);
        expect(scheme.isValid(c)).toBe(true);
        expect(scheme.compare(v, c)).toBe(0);
        expect(scheme.canonicalize(c)).toBe(c);
      }),
      { numRuns: 500 },
    );
  });
});

describe('agreement with independent implementations', () => {
  it('semver agrees with node-semver', () => {
    const s = getScheme('semver');
    fc.assert(
      fc.property(semverGen, semverGen, (a, b) => {
        expect(s.isValid(a)).toBe(nodeSemver.valid(a) !== null);
        if (s.isValid(a) && s.isValid(b)) expect(s.compare(a, b)).toBe(nodeSemver.compare(a, b));
      }),
      { numRuns: 1000 },
    );
  });

  it('pep440 agrees with @renovatebot/pep440', () => {
    const s = getScheme('pep440');
    fc.assert(
      fc.property(pepGen, pepGen, (a, b) => {
        fc.pre(s.isValid(a) && s.isValid(b) && pep440ref.valid(a) !== null && pep440ref.valid(b) !== null);
        expect(s.compare(a, b)).toBe(Math.sign(pep440ref.compare(a, b)) || 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('rubygems agrees with @renovatebot/ruby-semver (Gem::Version port)', () => {
    const s = getScheme('rubygems');
    fc.assert(
      fc.property(gemGen, gemGen, (a, b) => {
        fc.pre(s.isValid(a) && s.isValid(b));
        expect(s.compare(a, b)).toBe(GemRef.create(a)!.compare(GemRef.create(b)!));
      }),
      { numRuns: 1000 },
    );
  });
});
