import { ParseError } from '../../core/errors.js';
import { ReportBuilder } from '../builder.js';
import type { ParseContext } from '../context.js';
import type { Json } from '../json.js';
import { arr, isObj, num, obj, str } from '../json.js';
import { osHint } from '../package-id.js';
import { severityOf } from '../severity.js';
import type { ImportedReport } from '../types.js';

/**
 * Trivy Operator custom resources (`kubectl get vulnerabilityreports -o json`): one VulnerabilityReport,
 * a List of resources, a JSON array of them, or an object of lists keyed by CRD name. Only
 * VulnerabilityReports are read; other report kinds (config audit, exposed secrets, …) are counted in an
 * unknown.
 */

function reportsIn(doc: unknown): Json[] {
  if (Array.isArray(doc)) return doc.flatMap(reportsIn);
  if (!isObj(doc)) return [];
  if (str(doc.kind)?.endsWith('List') || (Array.isArray(doc.items) && !('report' in doc))) return arr(doc.items).flatMap(reportsIn);
  if ('report' in doc || 'kind' in doc) return [doc];
  // { "vulnerabilityreports.aquasecurity.github.io": [...], ... }
  return Object.entries(doc)
    .filter(([k]) => k.includes('aquasecurity.github.io'))
    .flatMap(([, v]) => reportsIn(v));
}

export function isTrivyOperator(doc: unknown): boolean {
  const reports = reportsIn(doc);
  return reports.length > 0 ? reports.some((r) => str(r.kind) === 'VulnerabilityReport' || str(r.apiVersion)?.startsWith('aquasecurity.github.io')) : isObj(doc) && Object.keys(doc).some((k) => k.endsWith('.aquasecurity.github.io'));
}

export function parseTrivyOperator(doc: unknown, ctx: ParseContext): ImportedReport {
  const reports = reportsIn(doc);
  const vulnReports = reports.filter((r) => str(r.kind) === 'VulnerabilityReport' || (!str(r.kind) && Array.isArray(obj(r.report).vulnerabilities)));
  const scannerVersion = str(obj(obj(vulnReports[0]?.report).scanner).version);
  const b = new ReportBuilder(ctx.file, { format: 'trivy-operator', scanner: 'trivy-operator', ...(scannerVersion ? { scannerVersion } : {}) });
  const other = reports.length - vulnReports.length;
  if (other > 0) b.note(`${other} Trivy Operator report(s) of other kinds (${[...new Set(reports.filter((r) => !vulnReports.includes(r)).map((r) => str(r.kind) ?? '?'))].join(', ')}) are not imported; Bulwark imports vulnerabilities only`);
  if (reports.length > 0 && vulnReports.length === 0 && other === 0) throw new ParseError(ctx.file, 'not a Trivy Operator report: no VulnerabilityReport found');
  const images = new Set<string>();
  for (const r of vulnReports) {
    const meta = obj(r.metadata);
    const report = obj(r.report);
    const artifact = obj(report.artifact);
    const registry = str(obj(report.registry).server);
    const repo = str(artifact.repository);
    const image = repo ? `${registry ? `${registry}/` : ''}${repo}${str(artifact.tag) ? `:${str(artifact.tag)}` : ''}${str(artifact.digest) ? `@${str(artifact.digest)}` : ''}` : undefined;
    if (image) images.add(image);
    const labels = obj(meta.labels);
    const workload = [str(labels['trivy-operator.resource.namespace']) ?? str(meta.namespace), str(labels['trivy-operator.resource.kind']), str(labels['trivy-operator.resource.name']), str(labels['trivy-operator.container.name'])].filter((s) => s).join('/');
    const os = osHint(str(obj(report.os).family), str(obj(report.os).name));
    if (os) b.setOs({ family: os.family, version: os.version ?? '', name: `${os.family} ${os.version ?? ''}`.trim() });
    arr(report.vulnerabilities).forEach((raw, i) => {
      if (!isObj(raw)) return b.skip('IMPORT_ENTRY_INVALID', `${str(meta.name) ?? 'a report'}: vulnerability #${i + 1} is not an object`);
      const id = str(raw.vulnerabilityID);
      const name = str(raw.resource);
      if (!id || !name) return b.skip('IMPORT_ENTRY_INCOMPLETE', `${str(meta.name) ?? 'a report'}: vulnerability #${i + 1} has no ${id ? 'resource' : 'vulnerabilityID'}; not imported`);
      const kind = str(raw.packageType) ?? (str(raw.class) === 'os-pkgs' || !str(raw.class) ? os?.family : undefined);
      const fixed = (str(raw.fixedVersion) ?? '').split(',').map((s) => s.trim()).filter((s) => s);
      const score = num(raw.score);
      b.addVuln({
        id,
        package: { name, version: str(raw.installedVersion) ?? '', ...(kind ? { kind } : {}), ...(str(raw.pkgPURL) ? { purl: str(raw.pkgPURL)! } : {}), ...(os && (str(raw.class) ?? 'os-pkgs') === 'os-pkgs' ? { os } : {}) },
        severity: severityOf(str(raw.severity), score),
        ...(str(raw.severitySource) ? { severityVendor: str(raw.severitySource)! } : {}),
        fixedVersions: fixed,
        ...(str(raw.title) ? { title: str(raw.title)! } : {}),
        references: [str(raw.primaryLink), ...arr(raw.links).map(str)].filter((u): u is string => !!u),
        locations: [{ path: [image, workload, str(raw.target)].filter((s) => s).join(' ') || ctx.file }],
      });
    });
  }
  const only = images.size === 1 ? [...images][0]! : undefined;
  return b.build(only ? { kind: 'image', name: only, image: { reference: only, layers: [] } } : { kind: 'file', name: ctx.file }, { now: ctx.now, file: ctx.file, ...(str(obj(vulnReports[0]?.report).updateTimestamp) ? { createdAt: str(obj(vulnReports[0]?.report).updateTimestamp)! } : {}) });
}
