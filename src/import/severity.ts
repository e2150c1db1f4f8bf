import type { Severity } from '../core/severity.js';
import { severityFromScore } from '../core/severity.js';

const WORDS: Readonly<Record<string, Severity>> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  important: 'HIGH',
  medium: 'MEDIUM',
  moderate: 'MEDIUM',
  low: 'LOW',
  negligible: 'LOW',
  info: 'LOW',
  informational: 'LOW',
  minimal: 'LOW',
  unknown: 'UNKNOWN',
  none: 'UNKNOWN',
  undefined: 'UNKNOWN',
  unspecified: 'UNKNOWN',
};

/**
 * A scanner's severity word as a Bulwark severity: Grype's Negligible and npm's info become LOW,
 * moderate becomes MEDIUM; undefined for a word no scanner uses (the caller then says UNKNOWN).
 */
export function severityOfWord(word: string | undefined): Severity | undefined {
  if (!word) return undefined;
  return WORDS[word.trim().toLowerCase()];
}

/** A severity from a word, else from a CVSS score, else UNKNOWN. */
export function severityOf(word: string | undefined, score?: number): Severity {
  const w = severityOfWord(word);
  if (w && w !== 'UNKNOWN') return w;
  if (score !== undefined && score > 0) return severityFromScore(score);
  return w ?? 'UNKNOWN';
}

/** Trivy's VendorSeverity numbers: 0 unknown, 1 low, 2 medium, 3 high, 4 critical. */
export function severityOfTrivyNumber(n: number): Severity {
  return (['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const)[n] ?? 'UNKNOWN';
}
