import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PackageURL } from 'packageurl-js';
import { ParseError } from '../../core/errors.js';
import { ReportBuilder } from '../builder.js';
import type { ParseContext } from '../context.js';
import type { Json } from '../json.js';
import { arr, isObj, num, obj, objs, str } from '../json.js';
import { severityOf } from '../severity.js';
import type { ImportedReport } from '../types.js';

/**
 * OWASP Dependency-Check reports: XML (schema 1.x and 2.x, default namespace
 * https://jeremylong.github.io/DependencyCheck/dependency-check.<v>.xsd) and JSON (reportSchema 1.x).
 * The XML is first read into the JSON report's shape, so one reader serves both. A dependency is
 * identified by its package purl (identifiers/package/id), else its Maven coordinates, else its file;
 * related dependencies (the same artifact found elsewhere) become locations; suppressed vulnerabilities
 * are imported as suppressed findings.
 */

const LIST_TAGS = new Set(['dependency', 'vulnerability', 'suppressedVulnerability', 'relatedDependency', 'package', 'identifier', 'reference', 'software', 'cwe', 'vulnerabilityIds', 'id']);

function text(v: unknown): string | undefined {
  if (isObj(v)) return str(v['#text']);
  return str(v);
}

/** XML element (as fast-xml-parser gives it) → the JSON report's dependency shape. */
function dependencyOfXml(d: Json): Json {
  const ids = obj(d.identifiers);
  const packages = [...objs(ids.package), ...objs(ids.identifiers).flatMap((x) => objs(x.package))].map((p) => ({ id: text(p.id) }));
  const maven = objs(ids.identifier).filter((i) => str(i['@_type']) === 'maven').map((i) => text(i.name));
  const vulns = obj(d.vulnerabilities);
  const vuln = (v: Json): Json => ({
    source: str(v['@_source']),
    name: text(v.name),
    severity: text(v.severity),
    cvssScore: text(v.cvssScore),
    cvssv2: isObj(v.cvssV2) ? { score: text(v.cvssV2.score), severity: text(v.cvssV2.severity) } : undefined,
    cvssv3: isObj(v.cvssV3) ? { baseScore: text(v.cvssV3.baseScore), baseSeverity: text(v.cvssV3.baseSeverity) } : undefined,
    description: text(v.description),
    references: objs(obj(v.references).reference).map((r) => ({ url: text(r.url), name: text(r.name) })),
    vulnerableSoftware: arr(obj(v.vulnerableSoftware).software).map((s) =>
      isObj(s) ? { software: { id: text(s), vulnerabilityIdMatched: str(s['@_vulnerabilityIdMatched']), versionEndExcluding: str(s['@_versionEndExcluding']) } } : { software: { id: text(s) } },
    ),
  });
  return {
    fileName: text(d.fileName),
    filePath: text(d.filePath),
    packages,
    mavenIds: maven,
    relatedDependencies: objs(obj(d.relatedDependencies).relatedDependency).map((r) => ({ fileName: text(r.fileName), filePath: text(r.filePath) })),
    vulnerabilities: objs(vulns.vulnerability).map(vuln),
    suppressedVulnerabilities: [...objs(vulns.suppressedVulnerability), ...objs(obj(d.suppressedVulnerabilities).suppressedVulnerability)].map(vuln),
  };
}

export function readDependencyCheckXml(xml: string, file: string): Json {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ParseError(file, `not a report: invalid XML (${valid.err.msg}, line ${valid.err.line})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    isArray: (name) => LIST_TAGS.has(name),
  });
  const doc: unknown = parser.parse(xml);
  const analysis = isObj(doc) ? doc.analysis : undefined;
  if (!isObj(analysis)) throw new ParseError(file, 'not a Dependency-Check report: the XML has no <analysis> root element');
  // removeNSPrefix drops xmlns attributes: read the default namespace from the text.
  const ns = /<(?:\w+:)?analysis\b[^>]*?\bxmlns="([^"]*)"/.exec(xml)?.[1];
  if (ns && !/\/dependency-check\.[\d.]+\.xsd$/.test(ns)) throw new ParseError(file, `not a Dependency-Check report: the <analysis> element is in namespace ${ns}, not https://jeremylong.github.io/DependencyCheck/dependency-check.<version>.xsd`);
  if (!('scanInfo' in analysis) && !('projectInfo' in analysis) && !('dependencies' in analysis)) throw new ParseError(file, 'not a Dependency-Check report: <analysis> has none of scanInfo, projectInfo, dependencies');
  const scanInfo = obj(analysis.scanInfo);
  return {
    reportSchema: ns ? /dependency-check\.([\d.]+)\.xsd/.exec(ns)?.[1] : undefined,
    scanInfo: { engineVersion: text(scanInfo.engineVersion) },
    projectInfo: { name: text(obj(analysis.projectInfo).name), reportDate: text(obj(analysis.projectInfo).reportDate) },
    dependencies: objs(obj(analysis.dependencies).dependency).map(dependencyOfXml),
  };
}

export function isDependencyCheckJson(doc: unknown): boolean {
  return isObj(doc) && Array.isArray(doc.dependencies) && (isObj(doc.scanInfo) || 'reportSchema' in doc || isObj(doc.projectInfo));
}

export function isDependencyCheckXml(text: string): boolean {
  return /<analysis[\s>]/.test(text.slice(0, 4096)) && /dependency-?check/i.test(text.slice(0, 4096));
}

interface DcPackage {
  name: string;
  version: string;
  purl?: string;
  kind?: string;
}

/** The package a dependency is: its purl, else Maven coordinates, else its file name. */
function packageOf(d: Json): DcPackage {
  const purls = objs(d.packages).map((p) => str(p.id)).filter((id): id is string => !!id && id.startsWith('pkg:'));
  for (const purl of purls) {
    try {
      const p = PackageURL.fromString(purl);
      const name = p.type === 'maven' && p.namespace ? `${p.namespace}:${p.name}` : p.namespace ? `${p.namespace}/${p.name}` : p.name;
      return { name, version: p.version ?? '', purl };
    } catch {
      // an unparseable purl: try the next identifier
    }
  }
  for (const m of d.mavenIds ? arr(d.mavenIds) : []) {
    const parts = (str(m) ?? '').split(':');
    if (parts.length === 3 && parts.every((x) => x.length > 0)) return { name: `${parts[0]}:${parts[1]}`, version: parts[2]!, kind: 'maven' };
  }
  return { name: str(d.fileName) ?? str(d.filePath) ?? '(unnamed dependency)', version: '' };
}

function fixedOf(v: Json): string[] {
  const out: string[] = [];
  for (const s of objs(v.vulnerableSoftware)) {
    const sw = obj(s.software);
    const end = str(sw.versionEndExcluding);
    if (end && str(sw.vulnerabilityIdMatched) === 'true') out.push(end);
  }
  return out;
}

export function parseDependencyCheck(doc: Json, ctx: ParseContext): ImportedReport {
  const version = str(obj(doc.scanInfo).engineVersion);
  const b = new ReportBuilder(ctx.file, { format: ctx.format, scanner: 'dependency-check', ...(version ? { scannerVersion: version } : {}) });
  objs(doc.dependencies).forEach((d, i) => {
    const pkg = packageOf(d);
    const locations = [d, ...objs(d.relatedDependencies)].map((x) => str(x.filePath) ?? str(x.fileName)).filter((p): p is string => !!p).map((path) => ({ path }));
    const vulns = [...objs(d.vulnerabilities).map((v) => ({ v, suppressed: false })), ...objs(d.suppressedVulnerabilities).map((v) => ({ v, suppressed: true }))];
    if (vulns.length === 0) {
      if (objs(d.packages).length > 0 || arr(d.mavenIds).length > 0) b.addPackage({ name: pkg.name, version: pkg.version, ...(pkg.purl ? { purl: pkg.purl } : {}), ...(pkg.kind ? { kind: pkg.kind } : {}) }, locations);
      return;
    }
    for (const { v, suppressed } of vulns) {
      const id = str(v.name);
      if (!id) {
        b.skip('IMPORT_ENTRY_INCOMPLETE', `dependency #${i + 1} (${pkg.name}): a vulnerability has no name; not imported`);
        continue;
      }
      const v3 = obj(v.cvssv3 ?? v.cvssV3);
      const v2 = obj(v.cvssv2 ?? v.cvssV2);
      const score = num(v3.baseScore) ?? num(v2.score) ?? num(v.cvssScore);
      // The JSON template writes "baseSeverity>" (sic: a stray '>' in Dependency-Check's jsonReport.vsl).
      const word = str(v.severity) ?? str(v3.baseSeverity) ?? str(v3['baseSeverity>']) ?? str(v2.severity);
      b.addVuln({
        id,
        package: { name: pkg.name, version: pkg.version, ...(pkg.purl ? { purl: pkg.purl } : {}), ...(pkg.kind ? { kind: pkg.kind } : {}) },
        severity: severityOf(word, score),
        ...(str(v.source) ? { severityVendor: str(v.source)! } : {}),
        fixedVersions: fixedOf(v),
        ...(str(v.description) ? { title: str(v.description)!.replace(/\s+/g, ' ').slice(0, 200) } : {}),
        references: objs(v.references).map((r) => str(r.url)).filter((u): u is string => !!u),
        locations,
        ...(suppressed ? { suppressed: { reason: 'suppressed in Dependency-Check' } } : {}),
      });
    }
  });
  const project = str(obj(doc.projectInfo).name);
  return b.build({ kind: 'directory', name: project ?? ctx.file }, { now: ctx.now, file: ctx.file, ...(str(obj(doc.projectInfo).reportDate) ? { createdAt: str(obj(doc.projectInfo).reportDate)! } : {}) });
}
