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

/** NVD's CVSS versions, as its API names them in `cvssData.version`. */
export type CvssVersion = '4.0' | '3.1' | '3.0' | '2.0';

/** One CVSS metric NVD holds for a CVE: NVD's own (`Primary`) or a CNA's (`Secondary`). */
export interface CveMetric {
  version: CvssVersion;
  /** Who scored it: "nvd@nist.gov", a CNA's e-mail or UUID. */
  source: string;
  type: 'Primary' | 'Secondary';
  vector: string;
  score: number;
  /** Normalized rating of the score (v2 has no CRITICAL). */
  severity: Severity;
}

/** One CWE NVD lists for a CVE, with who said so. */
export interface CveWeakness {
  cwe: string;
  source: string;
  type: 'Primary' | 'Secondary';
}

/** A CVE as NVD's CVE API 2.0 describes it, reduced to what severity resolution and reports need. */
export interface CveRecord {
  id: string;
  published?: string;
  lastModified?: string;
  /** "Analyzed", "Modified", "Awaiting Analysis", "Rejected", ... */
  vulnStatus?: string;
  description?: string;
  metrics: CveMetric[];
  weaknesses: CveWeakness[];
}
