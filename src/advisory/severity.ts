/**
 * Severity ratings of advisory records: GHSA's words, and the one assessment that stands for an advisory.
 * Scoring CVSS vectors is cvss.ts's (its calculator is large; scans never score vectors, imports do).
 */
import type { SeverityAssessment, SeverityType } from '../core/advisory.js';
import type { Severity } from '../core/severity.js';
import { isSeverity } from '../core/severity.js';

/** GHSA database_specific.severity ("CRITICAL", "HIGH", "MODERATE", "LOW"). */
export function ghsaSeverity(text: string): Severity | undefined {
  const t = text.trim().toUpperCase();
  if (t === 'MODERATE') return 'MEDIUM';
  return isSeverity(t) && t !== 'UNKNOWN' ? t : undefined;
}

/** Order of preference when one severity must stand for the advisory. */
const PREFERENCE: SeverityType[] = ['CVSS_V3', 'CVSS_V4', 'GHSA', 'DISTRO', 'CVSS_V2', 'OSV'];

/** Picks the assessment that stands for the advisory: CVSS v3 first (what NVD and GHSA ratings derive from), then v4, GHSA, distro, v2. */
export function primarySeverity(assessments: readonly SeverityAssessment[]): SeverityAssessment | undefined {
  let best: SeverityAssessment | undefined;
  let bestRank = Infinity;
  for (const a of assessments) {
    if (a.severity === 'UNKNOWN') continue;
    const rank = PREFERENCE.indexOf(a.type);
    const r = rank < 0 ? PREFERENCE.length : rank;
    if (r < bestRank || (r === bestRank && best && (a.score ?? 0) > (best.score ?? 0))) {
      best = a;
      bestRank = r;
    }
  }
  return best;
}
