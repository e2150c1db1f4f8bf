import type { Severity } from '../../core/severity.js';
import { assessCvss } from '../../advisory/cvss.js';
import type { Json } from '../json.js';
import { obj, objs, str } from '../json.js';
import { severityOfWord } from '../severity.js';

/**
 * Reading OSV records embedded in scanner reports (osv-scanner, govulncheck): severity from the CVSS
 * vectors or the GitHub rating in database_specific, fixed versions from the ranges of the entry that
 * names the package.
 */
export interface OsvRating {
  severity: Severity;
  type: 'TOOL' | 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4';
  vendor?: string;
  cvss?: { score: number; vector: string };
}

export function osvRating(v: Json): OsvRating {
  let best: OsvRating | undefined;
  for (const s of objs(v.severity)) {
    const type = str(s.type);
    const vector = str(s.score);
    if (!vector || (type !== 'CVSS_V2' && type !== 'CVSS_V3' && type !== 'CVSS_V4')) continue;
    const a = assessCvss(type, vector, 'osv');
    if (!a || a.score === undefined) continue;
    const rating: OsvRating = { severity: a.severity, type, cvss: { score: a.score, vector } };
    // Newest CVSS version wins: V4 over V3 over V2.
    if (!best || type > best.type) best = rating;
  }
  if (best) return best;
  const ghsa = severityOfWord(str(obj(v.database_specific).severity));
  if (ghsa) return { severity: ghsa, type: 'TOOL', vendor: 'ghsa' };
  for (const a of objs(v.affected)) {
    const eco = severityOfWord(str(obj(a.ecosystem_specific).severity) ?? str(obj(a.database_specific).severity));
    if (eco) return { severity: eco, type: 'TOOL', vendor: 'ecosystem' };
  }
  return { severity: 'UNKNOWN', type: 'TOOL' };
}

/** Every `fixed` event of the affected entries for this package (all when none names it). */
export function osvFixedVersions(v: Json, name: string): string[] {
  const affected = objs(v.affected);
  const mine = affected.filter((a) => str(obj(a.package).name) === name);
  const out: string[] = [];
  for (const a of mine.length > 0 ? mine : affected) {
    for (const r of objs(a.ranges)) {
      if (str(r.type) === 'GIT') continue;
      for (const e of objs(r.events)) {
        const f = str(e.fixed);
        if (f) out.push(f);
      }
    }
  }
  return out;
}

export function osvReferences(v: Json): string[] {
  return objs(v.references).map((r) => str(r.url)).filter((u): u is string => !!u);
}
