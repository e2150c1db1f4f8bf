import { createHash } from 'node:crypto';
import { PackageURL } from 'packageurl-js';
import type { Finding, ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { SEVERITIES } from '../core/severity.js';

/**
 * Findings and scan events as ECS documents (Elastic Common Schema 8.x): `vulnerability.*`, `package.*`,
 * `container.image.*`, `labels.project`, `service.name`, `event.*`, plus a `bulwark.*` object for what ECS has
 * no field for (purl, ecosystem, fix, aliases, suppression, the importing scanner). One document per
 * finding and one scan-summary event per report. `_id`s are deterministic (same project, target, finding
 * → same id) and indices are daily (by the report's time), so re-sending a report updates its documents.
 */
export const ECS_VERSION = '8.11.0';

export interface ExportOptions {
  /** `labels.project`: the team or project the findings belong to (required by the dashboards). */
  project: string;
  /** `service.name`, when the findings belong to a service. */
  service?: string;
  /** Index name prefix: findings go to `<prefix>-findings-YYYY.MM.DD`, events to `<prefix>-events-YYYY.MM.DD`. */
  indexPrefix?: string;
}

/** One document with where it goes. */
export interface EcsDocument {
  _index: string;
  _id: string;
  doc: Record<string, unknown>;
}

export const DEFAULT_INDEX_PREFIX = 'bulwark';

/** ECS severities are free text; these are the words Kibana's vulnerability views use. */
const ECS_SEVERITY: Record<Severity, string> = { CRITICAL: 'Critical', HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low', UNKNOWN: 'Unknown' };

export function documentId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);
}

/** `<prefix>-<kind>-YYYY.MM.DD` in UTC from an ISO time. */
export function dailyIndex(prefix: string, kind: 'findings' | 'events', time: string): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a time: ${time}`);
  const day = d.toISOString().slice(0, 10).replace(/-/g, '.');
  return `${prefix}-${kind}-${day}`;
}

/** The ECS severity word of a Bulwark severity. */
export function ecsSeverity(s: Severity): string {
  return ECS_SEVERITY[s];
}

/** vulnerability.enumeration: the id's scheme ("CVE", "GHSA", …). */
export function enumerationOf(id: string): string {
  const m = /^([A-Z]+)-/.exec(id);
  return m ? m[1]! : 'OTHER';
}

/** The purl's type: the text between "pkg:" and the next "/", checked by a full parse once per type seen. */
const PURL_TYPES = new Map<string, string | undefined>();
export function purlTypeOf(purl: string): string | undefined {
  const m = /^pkg:([a-zA-Z.+-][a-zA-Z0-9.+-]*)\//.exec(purl);
  if (!m) return undefined;
  const t = m[1]!.toLowerCase();
  if (!PURL_TYPES.has(t)) {
    let ok: string | undefined;
    try {
      ok = PackageURL.fromString(purl).type;
    } catch {
      ok = undefined;
    }
    PURL_TYPES.set(t, ok);
  }
  return PURL_TYPES.get(t);
}

/** "registry/repo:tag@sha256:…" → name, tag, digest. */
export function splitImageReference(ref: string): { name: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function containerOf(report: ScanReport): Record<string, unknown> | undefined {
  if (report.target.kind !== 'image') return undefined;
  const ref = splitImageReference(report.target.image?.reference ?? report.target.name);
  const digests = [ref.digest, report.target.image?.manifestDigest].filter((d): d is string => !!d);
  return { image: { name: ref.name, ...(ref.tag ? { tag: [ref.tag] } : {}), ...(digests.length > 0 ? { hash: { all: [...new Set(digests)] } } : {}) } };
}

function importedFrom(report: ScanReport): Record<string, unknown> | undefined {
  const tool: Record<string, unknown> = report.tool;
  const from = tool.importedFrom;
  if (typeof from !== 'object' || from === null) return undefined;
  const f = from as Record<string, unknown>;
  return { format: String(f.format ?? ''), scanner: String(f.scanner ?? ''), ...(typeof f.scannerVersion === 'string' ? { scanner_version: f.scannerVersion } : {}) };
}

function scanner(report: ScanReport): string {
  const from = importedFrom(report);
  return from ? String(from.scanner) : 'Bulwark';
}

/** The scan's id: the same report gives the same id. */
export function reportId(report: ScanReport, project: string): string {
  return documentId('scan', project, report.target.name, report.createdAt);
}

function common(report: ScanReport, opts: ExportOptions, dataset: string, kind: string): Record<string, unknown> {
  const container = containerOf(report);
  return {
    '@timestamp': report.createdAt,
    ecs: { version: ECS_VERSION },
    labels: { project: opts.project },
    ...(opts.service ? { service: { name: opts.service } } : {}),
    ...(container ? { container } : {}),
    event: { kind, category: ['vulnerability'], type: ['info'], dataset, module: 'bulwark', created: report.createdAt },
    observer: { vendor: 'Bulwark', product: 'bulwark', version: report.tool.version },
  };
}

export function findingDocument(report: ScanReport, f: Finding, opts: ExportOptions): EcsDocument {
  const prefix = opts.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const base = common(report, opts, 'bulwark.finding', 'state');
  const location = f.locations[0]?.path;
  const from = importedFrom(report);
  const doc: Record<string, unknown> = {
    ...base,
    message: `${f.id} in ${f.package.name}${f.package.version ? ` ${f.package.version}` : ''} (${f.severity}${f.fixedVersion ? `, fixed in ${f.fixedVersion}` : ''})`,
    vulnerability: {
      id: f.id,
      enumeration: enumerationOf(f.id),
      severity: ECS_SEVERITY[f.severity],
      category: [f.package.ecosystem],
      ...(f.cvss ? { classification: 'CVSS', score: { base: f.cvss.score, ...(/^CVSS:(\d\.\d)/.exec(f.cvss.vector) ? { version: /^CVSS:(\d\.\d)/.exec(f.cvss.vector)![1] } : {}) } } : {}),
      ...(f.title ? { description: f.title } : {}),
      ...(f.references[0] ? { reference: f.references[0].url } : {}),
      scanner: { vendor: scanner(report) },
      report_id: reportId(report, opts.project),
    },
    package: {
      name: f.package.name,
      version: f.package.version,
      ...(purlTypeOf(f.package.purl) ? { type: purlTypeOf(f.package.purl) } : {}),
      ...(location ? { path: location } : {}),
    },
    bulwark: {
      purl: f.package.purl,
      ecosystem: f.package.ecosystem,
      severity: f.severity,
      fix_state: f.fixState,
      ...(f.fixedVersion ? { fixed_version: f.fixedVersion } : {}),
      ...(f.aliases.length > 0 ? { aliases: f.aliases } : {}),
      ...(f.severitySource ? { severity_source: f.severitySource } : {}),
      suppressed: f.suppressed !== undefined,
      ...(f.suppressed ? { suppressed_by: f.suppressed.by } : {}),
      dev: f.package.dev,
      target: { kind: report.target.kind, name: report.target.name },
      ...(from ? { imported_from: from } : {}),
    },
  };
  const id = documentId('finding', opts.project, report.target.name, f.id, f.package.purl);
  // event.id carries the _id, so a log pipeline that indexes the NDJSON can keep it (Logstash: document_id => "%{[event][id]}").
  (doc.event as Record<string, unknown>).id = id;
  return { _index: dailyIndex(prefix, 'findings', report.createdAt), _id: id, doc };
}

/** The scan-summary event: counts per severity, the gate's verdict. */
export function scanDocument(report: ScanReport, opts: ExportOptions): EcsDocument {
  const prefix = opts.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s.toLowerCase(), 0])) as Record<string, number>;
  for (const f of report.findings) if (!f.suppressed) counts[f.severity.toLowerCase()]! += 1;
  const from = importedFrom(report);
  const id = reportId(report, opts.project);
  return {
    _index: dailyIndex(prefix, 'events', report.createdAt),
    _id: id,
    doc: {
      ...common(report, opts, 'bulwark.scan', 'event'),
      message: `scan of ${report.target.name}: ${report.findings.length} finding(s), gate ${report.gate.passed ? 'passed' : 'failed'}`,
      event: { ...(common(report, opts, 'bulwark.scan', 'event').event as Record<string, unknown>), action: 'scan-completed', outcome: report.gate.passed ? 'success' : 'failure', id },
      bulwark: {
        target: { kind: report.target.kind, name: report.target.name },
        findings: { total: report.findings.length, suppressed: report.findings.filter((f) => f.suppressed).length, ...counts },
        packages: report.packages.length,
        gate: { passed: report.gate.passed, fail_on: report.gate.failOn },
        ...(from ? { imported_from: from } : {}),
      },
    },
  };
}

/** Every document of a report: its findings, then its scan event. */
export function reportDocuments(report: ScanReport, opts: ExportOptions): EcsDocument[] {
  return [...report.findings.map((f) => findingDocument(report, f, opts)), scanDocument(report, opts)];
}
