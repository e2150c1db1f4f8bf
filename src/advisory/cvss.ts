/**
 * CVSS base scores and the severity they give, from vectors (OSV records, imported reports). Its own module
 * because the calculator is the largest library a scan would otherwise load and compile at start-up; only
 * feed imports and report imports score vectors.
 */
import cvss from 'ae-cvss-calculator';
import type { SeverityAssessment } from '../core/advisory.js';
import { severityFromScore, severityFromV2Score } from '../core/severity.js';

const V3_BASE = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'];
const V4_BASE = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'];
const V2_BASE = ['AV', 'AC', 'Au', 'C', 'I', 'A'];

function metricKeys(vector: string): Set<string> {
  const keys = new Set<string>();
  for (const part of vector.split('/')) {
    const i = part.indexOf(':');
    if (i > 0) keys.add(part.slice(0, i));
  }
  return keys;
}

function hasAll(vector: string, required: string[]): boolean {
  const keys = metricKeys(vector);
  return required.every((k) => keys.has(k));
}

/** Base score of a CVSS vector, or undefined when the vector is not a complete, valid one. */
export function cvssBaseScore(type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4', vector: string): number | undefined {
  const v = vector.trim();
  try {
    let score: number | undefined;
    if (type === 'CVSS_V3') {
      if (!hasAll(v, V3_BASE)) return undefined;
      if (v.startsWith('CVSS:3.0/')) score = new cvss.Cvss3P0(v).calculateScores().base;
      else if (v.startsWith('CVSS:3.1/')) score = new cvss.Cvss3P1(v).calculateScores().base;
      else return undefined;
    } else if (type === 'CVSS_V4') {
      if (!v.startsWith('CVSS:4.0/') || !hasAll(v, V4_BASE)) return undefined;
      score = new cvss.Cvss4P0(v).calculateScores().base;
    } else {
      const bare = v.startsWith('(') ? v.slice(1, -1) : v;
      if (!hasAll(bare, V2_BASE)) return undefined;
      score = new cvss.Cvss2(bare).calculateScores().base;
    }
    return typeof score === 'number' && Number.isFinite(score) ? score : undefined;
  } catch {
    return undefined;
  }
}

/** One assessment from a CVSS vector; undefined when the vector cannot be scored. */
export function assessCvss(type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4', vector: string, source: string): SeverityAssessment | undefined {
  const score = cvssBaseScore(type, vector);
  if (score === undefined) return undefined;
  const severity = type === 'CVSS_V2' ? severityFromV2Score(score) : severityFromScore(score);
  return { type, severity, score, vector: vector.trim(), source };
}
