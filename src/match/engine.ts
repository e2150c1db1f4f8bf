import type { AffectedPackage, FixState, Reference } from '../core/advisory.js';
import { ecosystemBase } from '../core/ecosystem.js';
import type { Package, Unknown } from '../core/package.js';
import type { Finding } from '../core/report.js';
import { severityRank } from '../core/severity.js';
import type { AdvisoryReader, AffectedMatch, StoredAdvisory } from '../advisory/reader.js';
import type { SeverityLookup } from './severity.js';
import { resolveSeverity } from './severity.js';
import { evaluateAffected } from '../versioning/osv-range.js';
import { schemeForEcosystem } from '../versioning/registry.js';
import type { VersionScheme } from '../versioning/types.js';

export interface MatchResult {
  findings: Finding[];
  unknowns: Unknown[];
}

/** Package types whose distro could not be determined (no os-release): never matched, always reported. */
const DISTRO_LESS = new Set(['deb', 'apk', 'rpm']);

interface Hit {
  advisory: StoredAdvisory;
  affected: AffectedPackage;
  fixed?: string;
  why: string;
}

/**
 * Name and version an advisory feed keys a package by: distro feeds use the source package; a CocoaPods subspec
 * (`AppCenter/Analytics`) is part of its pod, and advisories name the pod (`AppCenter`).
 */
function matchKey(pkg: Package): { name: string; version: string } {
  if (pkg.source && pkg.ecosystem.includes(':')) {
    return { name: pkg.source.name, version: pkg.source.version ?? pkg.version };
  }
  if (pkg.ecosystem === 'CocoaPods' && pkg.name.includes('/')) {
    return { name: pkg.name.slice(0, pkg.name.indexOf('/')), version: pkg.version };
  }
  return { name: pkg.name, version: pkg.version };
}

/** Groups advisories that alias each other (same vulnerability under several ids) with union-find. */
function groupByAlias(hits: Hit[]): Hit[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) ?? r;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string): void => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  for (const h of hits) {
    union(h.advisory.id, h.advisory.id);
    for (const alias of h.advisory.aliases) union(h.advisory.id, alias);
  }
  const groups = new Map<string, Hit[]>();
  for (const h of hits) {
    const root = find(h.advisory.id);
    const g = groups.get(root);
    if (g) g.push(h);
    else groups.set(root, [h]);
  }
  return [...groups.values()];
}

const ID_PREFERENCE = ['GHSA-', 'GO-', 'RUSTSEC-', 'PYSEC-', 'DSA-', 'DLA-', 'ALSA-', 'RHSA-', 'USN-', 'MAL-', 'CVE-'];

function idRank(id: string): number {
  const i = ID_PREFERENCE.findIndex((p) => id.startsWith(p));
  return i < 0 ? ID_PREFERENCE.length : i;
}

function compareSafe(scheme: VersionScheme, a: string, b: string): number | undefined {
  try {
    return scheme.compare(a, b);
  } catch {
    return undefined;
  }
}

/**
 * Code-unit order: the same on every machine, and no ICU collator to build (localeCompare's first call costs
 * 15-30 ms, the largest item of matching a 5,000-package lockfile).
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function buildFinding(pkg: Package, group: Hit[], scheme: VersionScheme, lookup: SeverityLookup): Finding {
  const advisories = [...group].sort((a, b) => idRank(a.advisory.id) - idRank(b.advisory.id) || byCodeUnits(a.advisory.id, b.advisory.id));
  const primary = advisories[0]!;
  const ids = new Set<string>();
  for (const h of advisories) {
    ids.add(h.advisory.id);
    for (const a of h.advisory.aliases) ids.add(a);
  }
  ids.delete(primary.advisory.id);

  const { severity, severitySource, cvss, urgency } = resolveSeverity(advisories, lookup);

  // Fix: every merged advisory must be satisfied, so the highest of their lowest fixes.
  let fixedVersion: string | null = null;
  for (const h of advisories) {
    if (!h.fixed) continue;
    if (fixedVersion === null || (compareSafe(scheme, h.fixed, fixedVersion) ?? 0) > 0) fixedVersion = h.fixed;
  }
  let fixState: FixState = fixedVersion ? 'fixed' : 'not-fixed';
  if (!fixedVersion && advisories.some((h) => h.affected.fixState === 'wont-fix')) fixState = 'wont-fix';

  const references: Reference[] = [];
  const seenUrls = new Set<string>();
  for (const h of advisories) {
    for (const r of h.advisory.references) {
      if (!seenUrls.has(r.url)) {
        seenUrls.add(r.url);
        references.push(r);
      }
    }
  }
  const notes = advisories.map((h) => h.affected.note).filter((n): n is string => Boolean(n));
  const finding: Finding = {
    id: primary.advisory.id,
    aliases: [...ids].sort(),
    package: {
      ecosystem: pkg.ecosystem,
      name: pkg.name,
      version: pkg.version,
      purl: pkg.purl,
      dev: pkg.dev === true,
    },
    severity,
    severitySource,
    cvss,
    fixedVersion,
    fixState,
    title: primary.advisory.summary ?? advisories.find((h) => h.advisory.summary)?.advisory.summary ?? null,
    references,
    why: notes.length > 0 ? `${primary.why}; ${notes[0]}` : primary.why,
    advisories: advisories.map((h) => ({ id: h.advisory.id, feed: h.advisory.feed })),
    locations: pkg.locations,
  };
  if (urgency) finding.urgency = urgency;
  if (pkg.source) finding.package.source = pkg.source;
  if (pkg.layer) finding.layer = pkg.layer;
  return finding;
}

/** Severity look-ups, each asked of the database once per scan (many findings share aliases and CVEs). */
function cachedLookup(db: AdvisoryReader): SeverityLookup {
  const advisories = new Map<string, StoredAdvisory[]>();
  const cves = new Map<string, ReturnType<AdvisoryReader['cve']>>();
  return {
    advisories(id) {
      let r = advisories.get(id);
      if (!r) advisories.set(id, (r = db.advisories(id)));
      return r;
    },
    cve(id) {
      if (!cves.has(id)) cves.set(id, db.cve(id));
      return cves.get(id);
    },
  };
}

/**
 * Matches packages against the advisory database. Every package either matches, is clean, or ends up
 * in `unknowns` (version not comparable, ecosystem without data, distro not known): never silently clean.
 */
export function matchPackages(packages: readonly Package[], db: AdvisoryReader): MatchResult {
  const findings: Finding[] = [];
  const unknowns: Unknown[] = [];
  const coverage = new Map<string, boolean>();
  const uncovered = new Map<string, Package[]>();
  // ecosystem → name → candidates (nested maps: no concatenated key to build and hash per package)
  const cache = new Map<string, Map<string, AffectedMatch[]>>();
  const lookup = cachedLookup(db);
  // The candidates of every package, asked of the database once per ecosystem rather than once per package.
  const names = new Map<string, Set<string>>();
  for (const pkg of packages) {
    if (DISTRO_LESS.has(pkg.ecosystem)) continue;
    let set = names.get(pkg.ecosystem);
    if (!set) names.set(pkg.ecosystem, (set = new Set()));
    set.add(matchKey(pkg).name);
  }
  for (const [ecosystem, set] of names) {
    let covered = coverage.get(ecosystem);
    if (covered === undefined) {
      covered = db.hasEcosystem(ecosystem);
      coverage.set(ecosystem, covered);
    }
    if (!covered) continue;
    cache.set(ecosystem, db.affectedMany(ecosystem, [...set]));
  }

  for (const pkg of packages) {
    if (DISTRO_LESS.has(pkg.ecosystem)) {
      unknowns.push({
        kind: 'os-not-covered',
        message: `${pkg.ecosystem} package ${pkg.name} ${pkg.version}: the operating system could not be identified, so no distro advisories apply`,
        ecosystem: pkg.ecosystem,
        package: { name: pkg.name, version: pkg.version, purl: pkg.purl },
      });
      continue;
    }
    let covered = coverage.get(pkg.ecosystem);
    if (covered === undefined) {
      covered = db.hasEcosystem(pkg.ecosystem);
      coverage.set(pkg.ecosystem, covered);
    }
    if (!covered) {
      const list = uncovered.get(pkg.ecosystem) ?? [];
      list.push(pkg);
      uncovered.set(pkg.ecosystem, list);
      continue;
    }
    const key = matchKey(pkg);
    let known = cache.get(pkg.ecosystem);
    if (!known) cache.set(pkg.ecosystem, (known = new Map()));
    let candidates = known.get(key.name);
    if (!candidates) {
      candidates = db.affected(pkg.ecosystem, key.name);
      known.set(key.name, candidates);
    }
    if (candidates.length === 0) continue;
    const scheme = schemeForEcosystem(pkg.ecosystem);
    const hits: Hit[] = [];
    const undecided: string[] = [];
    for (const c of candidates) {
      const verdict = evaluateAffected(scheme, key.version, c.affected);
      if (verdict.status === 'affected') {
        const hit: Hit = { advisory: c.advisory, affected: c.affected, why: verdict.why };
        if (verdict.fixed) hit.fixed = verdict.fixed;
        hits.push(hit);
      } else if (verdict.status === 'unknown') {
        undecided.push(`${c.advisory.id}: ${verdict.reason}`);
      }
    }
    // Several affected entries of one advisory can hit (log4j lists one per range): one hit per advisory.
    const perAdvisory = new Map<string, Hit>();
    for (const h of hits) {
      const k = `${h.advisory.feed}\u0000${h.advisory.id}`;
      const prev = perAdvisory.get(k);
      if (!prev || (h.fixed && (!prev.fixed || (compareSafe(scheme, h.fixed, prev.fixed) ?? 0) < 0))) perAdvisory.set(k, h);
    }
    for (const group of groupByAlias([...perAdvisory.values()])) findings.push(buildFinding(pkg, group, scheme, lookup));
    if (undecided.length > 0) {
      unknowns.push({
        kind: 'unparseable-version',
        message: `${pkg.ecosystem} ${pkg.name} ${key.version}: could not decide ${undecided.length} advisory(ies): ${undecided.slice(0, 3).join('; ')}`,
        ecosystem: pkg.ecosystem,
        package: { name: pkg.name, version: pkg.version, purl: pkg.purl },
      });
    }
  }
  for (const [ecosystem, pkgs] of uncovered) {
    unknowns.push({
      kind: 'no-advisory-data',
      message: `no advisories for ${ecosystem} in the database: ${pkgs.length} package(s) not checked (run \`bulwark db update\`, or the source has no ${ecosystemBase(ecosystem)} feed)`,
      ecosystem,
    });
  }
  findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      byCodeUnits(a.package.name, b.package.name) ||
      byCodeUnits(a.package.version, b.package.version) ||
      byCodeUnits(a.id, b.id),
  );
  return { findings, unknowns };
}
