import type { SeverityAssessment } from '../../../core/advisory.js';
import type { Severity } from '../../../core/severity.js';

/**
 * Debian tracker urgency → normalized severity.
 *
 * The tracker's urgencies are `unimportant`, `low`, `medium`, `high`, `not yet assigned` and `end-of-life`; a
 * trailing `*` or `**` marks an urgency derived from NVD rather than set by the security team (see the tracker's
 * tracker_service.py). `unimportant` and `low` both map to LOW. Anything else, including `not yet assigned` and
 * `end-of-life`, is UNKNOWN.
 */
export function debianUrgencyToSeverity(urgency: string): Severity {
  switch (normalizeUrgency(urgency)) {
    case 'unimportant':
    case 'low':
      return 'LOW';
    case 'medium':
      return 'MEDIUM';
    case 'high':
      return 'HIGH';
    default:
      return 'UNKNOWN';
  }
}

/** Lower-cased, trimmed, without the NVD `*`/`**` marker: "medium**" → "medium". */
export function normalizeUrgency(urgency: string): string {
  return urgency.trim().replace(/\*+$/, '').trim().toLowerCase();
}

/** The per-package severity statement for a tracker urgency. */
export function debianUrgencyAssessment(urgency: string): SeverityAssessment {
  return { type: 'DISTRO', severity: debianUrgencyToSeverity(urgency), source: 'debian-tracker' };
}
