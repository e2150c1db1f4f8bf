import { describe, expect, it } from 'vitest';
import { failOnFromSeverityList, formatDuration, parseDuration, parseExitCode } from './scan-flags.js';
import { resolveAliases } from './commands/scan.js';
import type { ScanOptions } from './commands/scan.js';

describe('Trivy aliases', () => {
  it('--severity LIST is --fail-on its lowest severity, case-insensitively', () => {
    expect(failOnFromSeverityList('CRITICAL')).toBe('CRITICAL');
    expect(failOnFromSeverityList('critical,high')).toBe('HIGH');
    expect(failOnFromSeverityList('HIGH,CRITICAL,MEDIUM')).toBe('MEDIUM');
    expect(failOnFromSeverityList('UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL')).toBe('UNKNOWN');
  });

  it('refuses lists that a threshold cannot express, unknown names and empty lists', () => {
    expect(() => failOnFromSeverityList('CRITICAL,LOW')).toThrow(/must also name HIGH, MEDIUM/);
    expect(() => failOnFromSeverityList('HIGH')).toThrow(/must also name CRITICAL$/);
    expect(() => failOnFromSeverityList('SEVERE')).toThrow(/unknown severity "SEVERE"/);
    expect(() => failOnFromSeverityList(' , ')).toThrow(/empty list/);
  });

  it('--exit-code takes 0..125 except 2 (could not scan)', () => {
    expect(parseExitCode('0')).toBe(0);
    expect(parseExitCode('1')).toBe(1);
    expect(parseExitCode('42')).toBe(42);
    expect(() => parseExitCode('2')).toThrow(/could not scan/);
    expect(() => parseExitCode('-1')).toThrow(/not an exit status/);
    expect(() => parseExitCode('300')).toThrow(/not an exit status/);
    expect(() => parseExitCode('one')).toThrow(/not an exit status/);
  });

  it('resolveAliases: --severity sets failOn, conflicts are errors', () => {
    const base: ScanOptions = { format: 'table', failOn: 'high' };
    expect(resolveAliases({ ...base, severity: 'CRITICAL' }, new Set()).failOn).toBe('critical');
    expect(() => resolveAliases({ ...base, severity: 'CRITICAL' }, new Set(['failOn']))).toThrow(/say the same thing/);
    expect(resolveAliases({ ...base, ignoreUnfixed: true }, new Set()).includeUnfixed).toBe(false);
    expect(() => resolveAliases({ ...base, ignoreUnfixed: true, includeUnfixed: true }, new Set())).toThrow(/contradict/);
  });
});

describe('--timeout durations', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['5m0s', 300_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['250ms', 250],
    ['30', 30_000],
  ])('%s → %d ms', (s, ms) => expect(parseDuration(s)).toBe(ms));

  it.each(['', '5x', 'm5', '5m junk', '0s'])('%j is refused', (s) => expect(() => parseDuration(s)).toThrow(/--timeout/));

  it('formats back', () => {
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(1000)).toBe('1s');
    expect(formatDuration(1500)).toBe('1500ms');
  });
});
