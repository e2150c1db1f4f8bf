import type { FixState, Reference } from './advisory.js';
import type { FileProblem, Location, Package, Unknown } from './package.js';
import type { Severity } from './severity.js';
import type { CiContext } from './ci.js';

/**
 * The JSON scan report: the contract between the scanner and the platform. Its JSON Schema is
 * `schemas/report.schema.json`; a change that breaks readers bumps the major version, an added field the minor.
 *   1.1.0: gate.complete, gate.notChecked, gate.incomplete, gate.unknownSeverity.
 *   1.2.0: ci (the CI pipeline, branch, commit and merge/pull request the scan ran for).
 */
export const REPORT_SCHEMA_VERSION = '1.2.0';

export interface ImageTarget {
  reference: string;
  manifestDigest?: string;
  configDigest?: string;
  layers: { digest: string; diffId?: string; size: number }[];
  os?: string;
  architecture?: string;
}

export interface ScanTarget {
  kind: 'directory' | 'file' | 'image' | 'rootfs' | 'sbom';
  /** What the user named: a path or an image reference. */
  name: string;
  image?: ImageTarget;
}

export interface OsReport {
  family: string;
  version: string;
  name: string;
}

export interface FindingPackage {
  ecosystem: string;
  name: string;
  version: string;
  purl: string;
  dev: boolean;
  source?: { name: string; version?: string };
}

export interface Finding {
  /** The advisory's own id (GHSA-…, GO-…, PYSEC-…, DSA-…, CVE-… for distro trackers). */
  id: string;
  /** Every other id the same vulnerability is published under (CVE, GHSA, …), merged from all matching advisories. */
  aliases: string[];
  package: FindingPackage;
  severity: Severity;
  /** Where the severity came from (see docs/severity.md): "CVSS_V3 (osv:npm)", "GHSA (osv:npm) via alias GHSA-…",
   *  "NVD CVSS_V3.1 Primary (nvd@nist.gov) via CVE-…", "DISTRO (debian-tracker)"; null when nothing rates it. */
  severitySource: string | null;
  cvss: { score: number; vector: string } | null;
  /** The distro's urgency for an OS package, kept beside a severity taken from elsewhere (NVD). */
  urgency?: { severity: Severity; source: string };
  /** Lowest version above the installed one that fixes it; null when there is none. */
  fixedVersion: string | null;
  fixState: FixState;
  title: string | null;
  references: Reference[];
  /** The range (or version list) that contains the installed version. */
  why: string;
  /** Every advisory merged into this finding, with the feed it came from. */
  advisories: { id: string; feed: string }[];
  locations: Location[];
  layer?: string;
  /** Set when a profile exception, VEX statement or ignore file suppresses it. */
  suppressed?: { by: string; reason: string; expires?: string };
}

/** What a scan could not judge, one entry per kind, in the gate (`gate.notChecked`). */
export interface NotChecked {
  /** `file`: a file or layer that could not be read or parsed; otherwise the kind of the unknowns it sums up. */
  kind: 'file' | 'no-advisory-data' | 'unparseable-version' | 'os-not-covered' | 'not-evaluable' | 'unsupported';
  /** How many errors / unknowns of this kind the report holds. */
  count: number;
  /** One line for humans: what was not checked. */
  summary: string;
}

export interface GateResult {
  failOn: Severity | 'NONE';
  includeUnfixed: boolean;
  excludeDev: boolean;
  /**
   * Findings of UNKNOWN severity: 'fail' counts them in the gate whatever failOn says (when they have a fix,
   * or with includeUnfixed), 'ignore' does not. Absent in reports before 1.1.0 (they ignored them).
   */
  unknownSeverity?: 'fail' | 'ignore';
  /** An incomplete scan: 'fail' fails the gate, 'warn' lets it pass with a warning. Absent before 1.1.0. */
  incomplete?: 'fail' | 'warn';
  /** False when something could not be judged (see notChecked); absent before 1.1.0. */
  complete?: boolean;
  /** What was not checked; empty when complete. Absent before 1.1.0. */
  notChecked?: NotChecked[];
  passed: boolean;
  /** Why it passed or failed, for humans. */
  reason: string;
  /** Findings that break the gate: "<id> <purl>". */
  violations: string[];
  /** The security profile that applied, when one did. */
  profile?: string;
}

export interface DatabaseInfo {
  builtAt: string | null;
  feeds: { id: string; status: string; fetchedAt: string | null; error?: string | null }[];
}

export interface ScanReport {
  schemaVersion: string;
  tool: { name: 'bulwark'; version: string };
  createdAt: string;
  target: ScanTarget;
  os: OsReport | null;
  database: DatabaseInfo | null;
  packages: Package[];
  findings: Finding[];
  unknowns: Unknown[];
  errors: FileProblem[];
  gate: GateResult;
  /** The CI pipeline the scan ran in (since 1.2.0); absent outside CI. */
  ci?: CiContext;
}

/** A report before the policy decided on it (src/policy/decide.ts adds the gate). */
export type UndecidedReport = Omit<ScanReport, 'gate'>;
