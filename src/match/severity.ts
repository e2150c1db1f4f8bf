import type { AffectedPackage, CveMetric, CveRecord, SeverityAssessment } from '../core/advisory.js';
import type { Severity } from '../core/severity.js';
import { severityRank } from '../core/severity.js';
import type { AdvisoryReader, StoredAdvisory } from '../advisory/reader.js';
import { primarySeverity } from '../advisory/severity.js';

/** One advisory entry that matched the package. */
export interface SeverityHit {
  advisory: StoredAdvisory;
  affected: AffectedPackage;
}

/** Which step of the chain gave the severity. */
export type SeverityStep = 'advisory' | 'alias' | 'nvd' | 'distro' | 'none';

export interface ResolvedSeverity {
  severity: Severity;
  /** Says where it came from: "CVSS_V3 (osv:npm)", "GHSA (osv:npm) via alias GHSA-…", "NVD CVSS_V3.1 Primary (nvd@nist.gov) via CVE-…". */
  severitySource: string | null;
  step: SeverityStep;
  cvss: { score: number; vector: string } | null;
  /** The distro's own urgency, kept beside a severity taken from elsewhere (Debian: NVD first, as Trivy does). */
  urgency?: { severity: Severity; source: string };
}

/** What resolution reads from the database. */
export type SeverityLookup = Pick<AdvisoryReader, 'advisories' | 'cve'>;

interface Candidate {
  severity: Severity;
  source: string;
  cvss: { score: number; vector: string } | null;
}

function worst(cands: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of cands) if (c.severity !== 'UNKNOWN' && (!best || severityRank(c.severity) > severityRank(best.severity))) best = c;
  return best;
}

function fromAssessment(a: SeverityAssessment, suffix = ''): Candidate {
  return {
    severity: a.severity,
    source: `${a.type} (${a.source})${suffix}`,
    cvss: a.score !== undefined && a.vector ? { score: a.score, vector: a.vector } : null,
  };
}

/** An advisory's own rating, distro urgencies aside (they are the chain's last step). */
function ownRating(advisory: StoredAdvisory, affected?: AffectedPackage): SeverityAssessment | undefined {
  const pkg = affected?.severity;
  if (pkg && pkg.type !== 'DISTRO' && pkg.severity !== 'UNKNOWN') return pkg;
  return primarySeverity(advisory.severities.filter((s) => s.type !== 'DISTRO'));
}

/** NVD's metric that stands for a CVE: NVD's own (Primary) before a CNA's (Secondary); v3.1, v3.0, v4.0, then v2. */
const VERSION_ORDER: readonly CveMetric['version'][] = ['3.1', '3.0', '4.0', '2.0'];
export function nvdMetric(cve: CveRecord): CveMetric | undefined {
  const rated = cve.metrics.filter((m) => m.severity !== 'UNKNOWN');
  const rank = (m: CveMetric): number => (m.type === 'Primary' ? 0 : 10) + VERSION_ORDER.indexOf(m.version);
  return [...rated].sort((a, b) => rank(a) - rank(b))[0];
}

function cvssType(version: CveMetric['version']): string {
  return version === '2.0' ? 'CVSS_V2' : version === '4.0' ? 'CVSS_V4' : `CVSS_V${version}`;
}

/**
 * The severity of one finding: the one place that decides it. The chain, first answer wins:
 * 1. the matched advisories' own CVSS or rating (the worst, when several advisories were merged);
 * 2. a rating carried by any other record in the database for one of the finding's ids or aliases (a GO-
 *    advisory's GHSA or CVE alias, a PYSEC's GHSA);
 * 3. NVD for any CVE id or alias (NVD's Primary metric before a CNA's Secondary one; the worst over several CVEs);
 * 4. the distro's urgency, for OS packages.
 * A distro urgency is reported beside the severity in every case (`urgency`).
 */
export function resolveSeverity(hits: readonly SeverityHit[], lookup: SeverityLookup): ResolvedSeverity {
  const urgencies = hits.map((h) => h.affected.severity).filter((s): s is SeverityAssessment => s?.type === 'DISTRO' && s.severity !== 'UNKNOWN');
  const urgencyCand = worst(urgencies.map((u) => fromAssessment(u)));
  const urgency = urgencyCand ? { severity: urgencyCand.severity, source: urgencyCand.source } : undefined;
  const advisoryCvss = (): ResolvedSeverity['cvss'] => {
    for (const h of hits) if (h.advisory.cvssScore !== undefined && h.advisory.cvssVector) return { score: h.advisory.cvssScore, vector: h.advisory.cvssVector };
    return null;
  };
  const done = (c: Candidate | undefined, step: SeverityStep): ResolvedSeverity => {
    const r: ResolvedSeverity = {
      severity: c?.severity ?? 'UNKNOWN',
      severitySource: c?.source ?? null,
      step: c ? step : 'none',
      cvss: c?.cvss ?? advisoryCvss(),
    };
    if (urgency) r.urgency = urgency;
    return r;
  };

  // 1. The matched advisories' own ratings.
  const own = worst(
    hits.flatMap((h) => {
      const a = ownRating(h.advisory, h.affected);
      return a ? [fromAssessment(a)] : [];
    }),
  );
  if (own) return done(own, 'advisory');

  const inGroup = new Set(hits.map((h) => `${h.advisory.feed}\u0000${h.advisory.id}`));
  const ids = new Set<string>();
  for (const h of hits) {
    ids.add(h.advisory.id);
    for (const a of h.advisory.aliases) ids.add(a);
  }
  const sorted = [...ids].sort();

  // 2. Other records in the database under any of the ids.
  const aliasCands: Candidate[] = [];
  const seen = new Set<string>();
  for (const id of sorted) {
    for (const rec of lookup.advisories(id)) {
      const key = `${rec.feed}\u0000${rec.id}`;
      if (inGroup.has(key) || seen.has(key)) continue;
      seen.add(key);
      const a = ownRating(rec);
      if (a) aliasCands.push(fromAssessment(a, ` via alias ${rec.id}`));
    }
  }
  const alias = worst(aliasCands);
  if (alias) return done(alias, 'alias');

  // 3. NVD, for every CVE id.
  const nvdCands: Candidate[] = [];
  for (const id of sorted) {
    if (!id.startsWith('CVE-')) continue;
    const cve = lookup.cve(id);
    const m = cve && nvdMetric(cve);
    if (m) nvdCands.push({ severity: m.severity, source: `NVD ${cvssType(m.version)} ${m.type} (${m.source}) via ${id}`, cvss: { score: m.score, vector: m.vector } });
  }
  const nvd = worst(nvdCands);
  if (nvd) return done(nvd, 'nvd');

  // 4. The distro's urgency.
  if (urgencyCand) return done(urgencyCand, 'distro');
  return done(undefined, 'none');
}
