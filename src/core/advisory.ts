import type { Severity } from './severity.js';

/** One OSV range event. Exactly one key is set. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export type RangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT';

/** An OSV `affected[].ranges[]` entry: data, evaluated by the versioning scheme of its ecosystem. */
export interface AffectedRange {
  type: RangeType;
  repo?: string;
  events: RangeEvent[];
}

export type FixState = 'fixed' | 'not-fixed' | 'wont-fix';

export type SeverityType = 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'GHSA' | 'DISTRO' | 'OSV';

/** One severity statement about an advisory, with where it came from. */
export interface SeverityAssessment {
  type: SeverityType;
  /** Normalized rating. */
  severity: Severity;
  score?: number;
  vector?: string;
  /** Who said so: "osv:npm", "ghsa", "debian-tracker", "alpine-secdb", ... */
  source: string;
}

export interface AffectedPackage {
  /** OSV ecosystem; distro ecosystems carry their release: "Debian:12", "Alpine:v3.11". */
  ecosystem: string;
  /** As the feed names it; distro entries name the source package. */
  name: string;
  purl?: string;
  ranges: AffectedRange[];
  /** Explicitly enumerated affected versions (OSV `versions`). */
  versions: string[];
  /** Set where the feed says more than the ranges do (Debian tracker no-dsa/ignored/postponed → wont-fix). */
  fixState?: FixState;
  /** Package-specific severity where the feed gives one (distro urgency, OSV ecosystem_specific). */
  severity?: SeverityAssessment;
  /** Free-text note from the feed (e.g. the tracker's no-dsa reason). */
  note?: string;
}

export interface Reference {
  type: string;
  url: string;
}

/** The normalized advisory every feed produces and the database stores. */
export interface AdvisoryRecord {
  id: string;
  aliases: string[];
  related: string[];
  summary?: string;
  details?: string;
  published?: string;
  modified?: string;
  /** Set when the advisory is withdrawn; such advisories are stored but never matched. */
  withdrawn?: string;
  severities: SeverityAssessment[];
  references: Reference[];
  affected: AffectedPackage[];
}
