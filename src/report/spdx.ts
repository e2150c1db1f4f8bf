import type { ScanReport } from '../core/report.js';
import { digestOf } from './common.js';

/**
 * SPDX 2.3 JSON: the inventory only. SPDX 2.3 has no place for vulnerabilities (they arrive with
 * SPDX 3.0's security profile), so the findings are left out and the document comment says so;
 * use --format cyclonedx for an SBOM that carries them.
 */
function spdxId(prefix: string, n: number): string {
  return `SPDXRef-${prefix}-${n}`;
}

export function renderSpdx(report: ScanReport): string {
  const rootId = 'SPDXRef-Target';
  const docName = report.target.name;
  const packages: Record<string, unknown>[] = [
    {
      SPDXID: rootId,
      name: docName,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: report.target.kind === 'image' || report.target.kind === 'rootfs' ? 'CONTAINER' : 'APPLICATION',
      ...(report.target.image?.manifestDigest ? { versionInfo: report.target.image.manifestDigest } : {}),
    },
  ];
  const relationships: Record<string, unknown>[] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: rootId }];
  report.packages.forEach((p, i) => {
    const id = spdxId('Package', i + 1);
    packages.push({
      SPDXID: id,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'LIBRARY',
      ...(p.source && p.source.name !== p.name ? { sourceInfo: `built from source package ${p.source.name}${p.source.version ? ` ${p.source.version}` : ''}` } : {}),
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
      ...(p.locations.length ? { comment: `found by ${p.foundBy} in ${p.locations.map((l) => l.path).join(', ')}` } : {}),
    });
    relationships.push({ spdxElementId: rootId, relationshipType: p.dev ? 'DEV_DEPENDENCY_OF' : 'CONTAINS', relatedSpdxElement: id });
  });
  // DEV_DEPENDENCY_OF reads "<element> is a dev dependency of <related>": turn those around.
  for (const r of relationships) {
    if (r.relationshipType === 'DEV_DEPENDENCY_OF') {
      const from = r.spdxElementId;
      r.spdxElementId = r.relatedSpdxElement;
      r.relatedSpdxElement = from;
    }
  }
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: docName,
    documentNamespace: `https://bulwark.dev/spdxdocs/${encodeURIComponent(docName.replace(/[\\/]/g, '-'))}-${digestOf(docName, report.createdAt).slice(0, 16)}`,
    creationInfo: { created: report.createdAt.replace(/\.\d+Z$/, 'Z'), creators: [`Tool: bulwark-${report.tool.version}`] },
    comment: `Inventory of ${report.target.kind} ${report.target.name}. SPDX 2.3 has no place for vulnerabilities: the ${report.findings.length} finding(s) of this scan are not in this document (use --format cyclonedx, sarif or json).`,
    documentDescribes: [rootId],
    packages,
    relationships,
  };
  return JSON.stringify(doc, null, 2);
}
