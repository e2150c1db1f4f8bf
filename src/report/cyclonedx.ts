import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Finding, ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { advisoryUrl, digestOf, findingSummary, sortedFindings } from './common.js';

/**
 * CycloneDX 1.6 JSON, built with @cyclonedx/cyclonedx-library: the inventory (one component per
 * package, bom-ref = its purl) and one vulnerability per finding, whose `affects` points at the
 * component's bom-ref, with ratings (CVSS vector and score, or the severity alone), the advisory
 * source, aliases as references, and an analysis for suppressed findings.
 */
const SEVERITY: Record<Severity, Enums.Vulnerability.Severity> = {
  CRITICAL: Enums.Vulnerability.Severity.Critical,
  HIGH: Enums.Vulnerability.Severity.High,
  MEDIUM: Enums.Vulnerability.Severity.Medium,
  LOW: Enums.Vulnerability.Severity.Low,
  UNKNOWN: Enums.Vulnerability.Severity.Unknown,
};

function ratingMethod(vector: string): Enums.Vulnerability.RatingMethod {
  if (vector.startsWith('CVSS:4')) return Enums.Vulnerability.RatingMethod.CVSSv4;
  if (vector.startsWith('CVSS:3.1')) return Enums.Vulnerability.RatingMethod.CVSSv31;
  if (vector.startsWith('CVSS:3')) return Enums.Vulnerability.RatingMethod.CVSSv3;
  return Enums.Vulnerability.RatingMethod.CVSSv2;
}

function source(f: Finding, id: string): Models.Vulnerability.Source {
  const feed = f.advisories.find((a) => a.id === id)?.feed ?? f.advisories[0]?.feed ?? 'bulwark';
  const url = advisoryUrl(id, id === f.id ? f : undefined);
  return new Models.Vulnerability.Source({ name: feed, ...(url ? { url } : {}) });
}

export function renderCycloneDx(report: ScanReport): string {
  const bom = new Models.Bom();
  bom.serialNumber = `urn:uuid:${(() => {
    const h = digestOf(report.target.name, report.createdAt);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  })()}`;
  bom.metadata.timestamp = new Date(report.createdAt);
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, 'bulwark', { version: report.tool.version, bomRef: 'bulwark-tool' }));
  const container = report.target.kind === 'image' || report.target.kind === 'rootfs';
  const byPurl = new Map<string, Models.Component>();
  const usedRefs = new Set<string>();
  // One lockfile scanned whose project is recorded (relationship root): that project is what the BOM describes.
  const roots = report.target.kind === 'file' ? report.packages.filter((p) => p.relationship === 'root') : [];
  const root = roots.length === 1 ? roots[0] : undefined;
  if (root) {
    bom.metadata.component = new Models.Component(Enums.ComponentType.Application, root.name, { bomRef: root.purl, version: root.version, purl: root.purl });
    bom.metadata.component.properties.add(new Models.Property('bulwark:ecosystem', root.ecosystem));
    bom.metadata.component.properties.add(new Models.Property('bulwark:target', report.target.name));
    byPurl.set(root.purl, bom.metadata.component);
    usedRefs.add(root.purl);
  } else {
    bom.metadata.component = new Models.Component(container ? Enums.ComponentType.Container : Enums.ComponentType.Application, report.target.name, {
      bomRef: 'scan-target',
      ...(report.target.image?.manifestDigest ? { version: report.target.image.manifestDigest } : {}),
    });
  }

  for (const p of report.packages) {
    if (byPurl.has(p.purl)) continue;
    let ref = p.purl;
    for (let n = 2; usedRefs.has(ref); n++) ref = `${p.purl}#${n}`;
    usedRefs.add(ref);
    const component = new Models.Component(Enums.ComponentType.Library, p.name, {
      bomRef: ref,
      version: p.version,
      purl: p.purl,
      ...(p.dev ? { scope: Enums.ComponentScope.Optional } : {}),
    });
    component.properties.add(new Models.Property('bulwark:ecosystem', p.ecosystem));
    component.properties.add(new Models.Property('bulwark:foundBy', p.foundBy));
    if (p.relationship) component.properties.add(new Models.Property('bulwark:relationship', p.relationship));
    for (const l of p.locations) component.properties.add(new Models.Property('bulwark:location', `${l.path}${l.line ? `:${l.line}` : ''}`));
    bom.components.add(component);
    byPurl.set(p.purl, component);
  }

  sortedFindings(report).forEach((f, i) => {
    let component = byPurl.get(f.package.purl);
    if (!component) {
      // A finding on a package the inventory does not list (should not happen): add it so affects resolves.
      component = new Models.Component(Enums.ComponentType.Library, f.package.name, { bomRef: f.package.purl, version: f.package.version, purl: f.package.purl });
      bom.components.add(component);
      byPurl.set(f.package.purl, component);
    }
    const ratings = new Models.Vulnerability.RatingRepository();
    ratings.add(
      new Models.Vulnerability.Rating({
        source: source(f, f.id),
        severity: SEVERITY[f.severity],
        ...(f.cvss ? { score: f.cvss.score, vector: f.cvss.vector, method: ratingMethod(f.cvss.vector) } : {}),
        ...(f.severitySource ? { justification: `severity from ${f.severitySource}` } : {}),
      }),
    );
    const references = new Models.Vulnerability.ReferenceRepository(f.aliases.filter((a) => a !== f.id).map((a) => new Models.Vulnerability.Reference(a, source(f, a))));
    const affect = new Models.Vulnerability.Affect(component.bomRef);
    affect.versions.add(new Models.Vulnerability.AffectedSingleVersion(f.package.version, { status: Enums.Vulnerability.AffectStatus.Affected }));
    const vuln = new Models.Vulnerability.Vulnerability({
      bomRef: `finding-${i + 1}`,
      id: f.id,
      source: source(f, f.id),
      ratings,
      references,
      description: f.title ?? findingSummary(f),
      detail: f.why,
      ...(f.fixedVersion ? { recommendation: `Upgrade ${f.package.name} to ${f.fixedVersion} or later.` } : {}),
      affects: new Models.Vulnerability.AffectRepository([affect]),
      ...(f.suppressed
        ? {
            analysis: new Models.Vulnerability.Analysis({
              ...(f.suppressed.by.startsWith('vex:') ? { state: Enums.Vulnerability.AnalysisState.NotAffected } : {}),
              detail: `suppressed by ${f.suppressed.by}: ${f.suppressed.reason}${f.suppressed.expires ? ` (until ${f.suppressed.expires})` : ''}`,
            }),
          }
        : {}),
    });
    for (const r of f.references.filter((x) => /^https?:\/\//.test(x.url)).slice(0, 20)) {
      vuln.advisories.add(new Models.Vulnerability.Advisory(r.url));
    }
    vuln.properties.add(new Models.Property('bulwark:fixState', f.fixState));
    if (f.fixedVersion) vuln.properties.add(new Models.Property('bulwark:fixedVersion', f.fixedVersion));
    bom.vulnerabilities.add(vuln);
  });

  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(bom, { sortLists: false, space: 2 });
}
