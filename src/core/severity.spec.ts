import { describe, expect, it } from 'vitest';
import { SEVERITIES, isSeverity, severityFromScore, severityFromV2Score, severityRank } from './severity.js';

describe('severity', () => {
  it('SEVERITIES is worst first and severityRank follows it', () => {
    expect(SEVERITIES).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']);
    const ranks = SEVERITIES.map(severityRank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    expect(new Set(ranks).size).toBe(SEVERITIES.length);
  });

  it.each([
    ['CRITICAL', true],
    ['UNKNOWN', true],
    ['critical', false],
    ['NONE', false],
    ['', false],
  ])('isSeverity(%j) = %s', (s, yes) => {
    expect(isSeverity(s)).toBe(yes);
  });

  // CVSS v3.1 specification, section 5 (qualitative severity rating scale); v4.0 uses the same bands.
  it.each([
    [10, 'CRITICAL'],
    [9.0, 'CRITICAL'],
    [8.9, 'HIGH'],
    [7.0, 'HIGH'],
    [6.9, 'MEDIUM'],
    [4.0, 'MEDIUM'],
    [3.9, 'LOW'],
    [0.1, 'LOW'],
    [0, 'UNKNOWN'],
  ])('severityFromScore(%d) = %s', (score, s) => {
    expect(severityFromScore(score)).toBe(s);
  });

  // NVD's CVSS v2 bands: no CRITICAL.
  it.each([
    [10, 'HIGH'],
    [7.0, 'HIGH'],
    [6.9, 'MEDIUM'],
    [4.0, 'MEDIUM'],
    [3.9, 'LOW'],
    [0.1, 'LOW'],
    [0, 'UNKNOWN'],
  ])('severityFromV2Score(%d) = %s', (score, s) => {
    expect(severityFromV2Score(score)).toBe(s);
  });
});
