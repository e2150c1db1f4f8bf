import { UsageError } from '../core/errors.js';
import type { Severity } from '../core/severity.js';

/**
 * The Trivy spellings of Bulwark's gate and walk options, and their parsers. Bulwark's gate is a threshold
 * (`--fail-on`), so `--severity LIST` must name every severity from CRITICAL down to the lowest one it gives.
 */

const ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;

/** `--severity CRITICAL,HIGH` → the --fail-on value it stands for ('HIGH'); UNKNOWN in the list means any finding. */
export function failOnFromSeverityList(list: string): Severity {
  const given = list.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
  if (given.length === 0) throw new UsageError('--severity: empty list', `give severities such as CRITICAL,HIGH (from: ${ORDER.join(', ')})`);
  for (const s of given) {
    if (!(ORDER as readonly string[]).includes(s)) throw new UsageError(`--severity: unknown severity ${JSON.stringify(s)}`, `use a comma-separated list of ${ORDER.join(', ')}`);
  }
  const lowest = Math.max(...given.map((s) => (ORDER as readonly string[]).indexOf(s)));
  const needed = ORDER.slice(0, lowest + 1);
  const missing = needed.filter((s) => !given.includes(s));
  if (missing.length > 0) {
    throw new UsageError(
      `--severity ${list}: Bulwark's gate fails on a severity and everything worse, so the list must also name ${missing.join(', ')}`,
      `use --severity ${needed.join(',')} (the same as --fail-on ${needed[needed.length - 1]!.toLowerCase()})`,
    );
  }
  return needed[needed.length - 1]!;
}

/** `--exit-code N`: the exit status of a failed gate (Trivy's name). 2 is kept for "could not scan". */
export function parseExitCode(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 125) throw new UsageError(`--exit-code ${JSON.stringify(value)}: not an exit status`, 'give a number from 0 to 125 (0: never fail on findings)');
  if (n === 2) throw new UsageError('--exit-code 2: exit status 2 means that Bulwark could not scan', 'pick another status, such as 1 (the default) or 3');
  return n;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations as Trivy takes them (`90s`, `5m`, `1h30m`, `5m0s`); a bare number is seconds. */
export function parseDuration(value: string): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (v === '' || matched !== v.length) throw new UsageError(`--timeout ${JSON.stringify(value)}: not a duration`, 'use a duration such as 90s, 5m or 1h30m');
  if (total <= 0) throw new UsageError(`--timeout ${JSON.stringify(value)}: must be more than zero`);
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
