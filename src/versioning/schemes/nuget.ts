/**
 * NuGet versions (NuGet.Versioning): 1 to 4 numeric parts (missing parts are 0; each fits an int32),
 * SemVer 2.0 prerelease labels compared case-insensitively, build metadata ignored.
 */
import { compareDigits, compareStrings, defineScheme, stripZeros } from '../util.js';

export interface NuGetVersion {
  parts: [string, string, string, string];
  prerelease: string[];
}

const RE = /^([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function parseNuGet(input: string): NuGetVersion | string {
  const v = input.trim();
  const m = RE.exec(v);
  if (!m) return 'not a NuGet version (N[.N[.N[.N]]][-prerelease][+metadata])';
  const parts = [m[1], m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'].map((p) => stripZeros(p!));
  for (const p of parts) if (compareDigits(p, '2147483647') > 0) return 'version part larger than int32';
  const prerelease = m[5] ? m[5].split('.') : [];
  for (const l of prerelease) if (/^[0-9]+$/.test(l) && l.length > 1 && l.startsWith('0')) return 'numeric label with a leading zero';
  return { parts: parts as [string, string, string, string], prerelease: prerelease.map((l) => l.toLowerCase()) };
}

const isNum = (s: string): boolean => /^[0-9]+$/.test(s);

export function compareNuGet(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.parts[i]!, b.parts[i]!);
    if (c !== 0) return c;
  }
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (isNum(x) && isNum(y)) return compareDigits(x, y);
    if (isNum(x)) return -1;
    if (isNum(y)) return 1;
    return compareStrings(x, y);
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}

/** NuGet's normalized string: at least three parts, the fourth only when non-zero; labels lower-cased. */
export function formatNuGet(v: NuGetVersion): string {
  const [a, b, c, d] = v.parts;
  return `${a}.${b}.${c}${d !== '0' ? `.${d}` : ''}${v.prerelease.length ? `-${v.prerelease.join('.')}` : ''}`;
}

export const nugetScheme = defineScheme('nuget', parseNuGet, compareNuGet, formatNuGet);
