/**
 * Go module versions (golang.org/x/mod/semver): 'v'-prefixed SemVer, with the shorthands vMAJOR and
 * vMAJOR.MINOR (no prerelease or build then); build metadata such as '+incompatible' is ignored;
 * pseudo-versions (v0.0.0-20191109021931-daa7c04131f5) are ordinary prereleases. OSV Go ranges write
 * versions without the 'v', so the prefix is optional here.
 */
import { defineScheme } from '../util.js';
import type { SemVer } from './semver.js';
import { compareSemVer, formatSemVer, parseSemVerCore } from './semver.js';

export function parseGo(input: string): SemVer | string {
  const v = input.trim();
  const s = v.startsWith('v') ? v.slice(1) : v;
  const short = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/.exec(s);
  if (short) return { major: short[1]!, minor: short[2] ?? '0', patch: '0', prerelease: [], build: [] };
  const r = parseSemVerCore(s, 'go', false);
  return r;
}

export const goScheme = defineScheme('go', parseGo, compareSemVer, (p) => `v${formatSemVer(p)}`);
