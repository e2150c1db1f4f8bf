/**
 * What a scanner report contains, counted independently of src/import: plain JSON walking and an XML
 * parser, one small reader per format. A "triple" is (vulnerability, package, version) as the file spells
 * them; the import must produce exactly one finding per distinct triple.
 *
 * Rules that the importer documents and this counter applies on purpose:
 * - entries without a vulnerability id or without a package name are not findings (the import lists them in `errors`);
 * - a version is cut at its first NUL byte (Grype copies C strings: "17.0.10+7\u0000-J-ms8m");
 * - npm audit has no installed versions: the version is "".
 */
import { XMLParser } from 'fast-xml-parser';

export type Sev = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

export interface TripleFacts {
  /** Severities the file gives this triple (normalized words); empty when it gives none. */
  severities: Set<Sev>;
  /** Fixed versions the file names for this triple; empty when none. */
  fixed: Set<string>;
  /** Every id the file gives this vulnerability (for formats whose primary id is a choice). */
  ids: Set<string>;
}

export interface Expected {
  /** Key: JSON [id, package, version]. For GitLab and Dependency-Check see `keyKind`. */
  triples: Map<string, TripleFacts>;
  /** 'triple': keys are [id, name, version] and compare directly with findings; 'count': only the number compares. */
  keyKind: 'triple' | 'count';
  /** Vulnerability ids in the file (every format). */
  vulnIds: Set<string>;
}

const WORD: Record<string, Sev> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', moderate: 'MEDIUM', low: 'LOW', negligible: 'LOW', info: 'LOW', unknown: 'UNKNOWN' };

type J = Record<string, unknown>;
const o = (v: unknown): J => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as J) : {});
const l = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown): string => (typeof v === 'string' ? v.split('\u0000')[0]!.trim() : typeof v === 'number' ? String(v) : '');

class Collector {
  readonly triples = new Map<string, TripleFacts>();
  readonly vulnIds = new Set<string>();
  add(id: string, name: string, version: string, severity: string, fixed: string[], ids: string[] = [id]): void {
    if (!id || !name) return;
    const key = JSON.stringify([id, name, version]);
    const t = this.triples.get(key) ?? { severities: new Set<Sev>(), fixed: new Set<string>(), ids: new Set<string>() };
    const sev = WORD[severity.toLowerCase()];
    if (sev && sev !== 'UNKNOWN') t.severities.add(sev);
    for (const f of fixed) if (f) t.fixed.add(f);
    for (const i of ids) t.ids.add(i);
    this.triples.set(key, t);
    this.vulnIds.add(id);
  }
}

function trivy(doc: unknown, c: Collector): void {
  const results: unknown[] = [];
  if (Array.isArray(doc)) results.push(...doc);
  const d = o(doc);
  results.push(...l(d.Results));
  for (const list of [d.Vulnerabilities, d.Misconfigurations, d.Resources]) for (const r of l(list)) results.push(...l(o(r).Results));
  for (const r of results) {
    for (const v of l(o(r).Vulnerabilities)) {
      const x = o(v);
      c.add(s(x.VulnerabilityID), s(x.PkgName), s(x.InstalledVersion), s(x.Severity), s(x.FixedVersion).split(',').map((f) => f.trim()));
    }
  }
}

function trivyOperator(doc: unknown, c: Collector): void {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    const x = o(v);
    if (x.kind === 'VulnerabilityReport') {
      for (const e of l(o(x.report).vulnerabilities)) {
        const y = o(e);
        c.add(s(y.vulnerabilityID), s(y.resource), s(y.installedVersion), s(y.severity), s(y.fixedVersion).split(',').map((f) => f.trim()));
      }
      return;
    }
    Object.values(x).forEach(walk);
  };
  walk(doc);
}

function grype(doc: unknown, c: Collector): void {
  for (const m of l(o(doc).matches)) {
    const v = o(o(m).vulnerability);
    const a = o(o(m).artifact);
    c.add(s(v.id), s(a.name), s(a.version), s(v.severity), l(o(v.fix).versions).map(s));
  }
}

function osvFixed(v: J, name: string): string[] {
  const out: string[] = [];
  const affected = l(v.affected).map(o);
  const mine = affected.filter((a) => s(o(a.package).name) === name);
  for (const a of mine.length > 0 ? mine : affected) for (const r of l(a.ranges)) if (s(o(r).type) !== 'GIT') for (const e of l(o(r).events)) if (s(o(e).fixed)) out.push(s(o(e).fixed));
  return out;
}

function osvScanner(doc: unknown, c: Collector): void {
  for (const r of l(o(doc).results)) {
    for (const p of l(o(r).packages)) {
      const pkg = o(o(p).package);
      for (const v of l(o(p).vulnerabilities)) {
        const x = o(v);
        c.add(s(x.id), s(pkg.name), s(pkg.version), s(o(x.database_specific).severity), osvFixed(x, s(pkg.name)));
      }
    }
  }
}

function gitlab(doc: unknown, c: Collector): void {
  for (const v of l(o(doc).vulnerabilities)) {
    const x = o(v);
    const dep = o(o(x.location).dependency);
    // CWE and OWASP identifiers name weakness classes, not vulnerabilities.
    const ids = l(x.identifiers)
      .filter((i) => !['cwe', 'owasp'].includes(s(o(i).type).toLowerCase()))
      .map((i) => s(o(i).value) || s(o(i).name))
      .filter((i) => i);
    // The key is the whole id set: which id is primary is the importer's choice.
    const key = [...new Set(ids)].sort().join(' ');
    const solution = s(x.solution);
    c.add(key, s(o(dep.package).name), s(dep.version), s(x.severity), solution ? [solution] : [], ids);
  }
}

function govulncheck(text: string, c: Collector): void {
  const t = text.trim();
  const messages: unknown[] = t.startsWith('[') ? (JSON.parse(t) as unknown[]) : (JSON.parse(`[${t.replace(/}\s*\n\s*{/g, '},{')}]`) as unknown[]);
  if (messages.length === 1 && 'Vulns' in o(messages[0])) {
    const d = o(messages[0]);
    const versions = new Map<string, string>();
    for (const m of Object.values(o(o(d.Requires).Modules))) versions.set(s(o(m).Path), s(o(m).Version));
    for (const v of l(d.Vulns)) {
      const osv = o(o(v).OSV);
      c.add(s(osv.id), s(o(v).ModPath), versions.get(s(o(v).ModPath)) ?? '', '', osvFixed(osv, s(o(v).ModPath)));
    }
    return;
  }
  for (const m of messages) {
    const f = o(o(m).finding);
    const frame = o(l(f.trace)[0]);
    c.add(s(f.osv), s(frame.module), s(frame.version), '', s(f.fixed_version) ? [s(f.fixed_version)] : []);
  }
}

function npmAudit(doc: unknown, c: Collector): void {
  for (const entry of Object.values(o(o(doc).vulnerabilities))) {
    for (const via of l(o(entry).via)) {
      if (typeof via !== 'object' || via === null) continue;
      const x = o(via);
      const ghsa = /GHSA-\w{4}-\w{4}-\w{4}/.exec(s(x.url))?.[0];
      const range = s(x.range).includes('||') ? null : /(?:^|\s)<\s*(\d\S*)$/.exec(s(x.range));
      c.add(ghsa ?? `NPM-${s(x.source)}`, s(x.name), '', s(x.severity), range ? [range[1]!] : []);
    }
  }
}

function cyclonedx(doc: unknown, c: Collector): void {
  const comps = new Map<string, J>();
  const walk = (list: unknown): void => {
    for (const x of l(list)) {
      comps.set(s(o(x)['bom-ref']), o(x));
      walk(o(x).components);
    }
  };
  walk(o(doc).components);
  for (const v of l(o(doc).vulnerabilities)) {
    const x = o(v);
    const sev = s(o(l(x.ratings)[0]).severity);
    for (const a of l(x.affects)) {
      const comp = comps.get(s(o(a).ref));
      if (comp) c.add(s(x.id), s(comp.name), s(comp.version), sev, []);
    }
  }
}

function dependencyCheck(text: string, c: Collector): void {
  const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false, attributeNamePrefix: '@' });
  const root = o(o(parser.parse(text)).analysis);
  const text_ = (v: unknown): string => (typeof v === 'object' && v !== null ? s(o(v)['#text']) : s(v));
  const deep = (v: unknown, out: string[]): string[] => {
    if (typeof v === 'string' && v.trim().startsWith('pkg:')) out.push(v.trim());
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach((x) => deep(x, out));
    return out;
  };
  for (const dep of l(o(root.dependencies).dependency).length ? l(o(root.dependencies).dependency) : [o(root.dependencies).dependency].filter(Boolean)) {
    const d = o(dep);
    const purl = deep(d.identifiers, [])[0];
    const maven = [o(d.identifiers).identifier].flat().map(o).find((i) => i['@type'] === 'maven');
    const identity = purl ?? (maven ? text_(maven.name) : '') ?? '';
    const ident = identity || s(d.filePath) || s(d.fileName);
    const vulns = o(d.vulnerabilities);
    for (const v of [vulns.vulnerability, vulns.suppressedVulnerability].flat().filter(Boolean)) {
      const x = o(v);
      const sw = [o(x.vulnerableSoftware).software].flat().map(o);
      const fixed = sw.filter((w) => w['@vulnerabilityIdMatched'] === 'true' && s(w['@versionEndExcluding'])).map((w) => s(w['@versionEndExcluding']));
      c.add(text_(x.name), ident, '', text_(x.severity), fixed);
    }
  }
}

function dependencyCheckJson(doc: unknown, c: Collector): void {
  for (const dep of l(o(doc).dependencies)) {
    const d = o(dep);
    const purl = l(d.packages).map((p) => s(o(p).id)).find((id) => id.startsWith('pkg:'));
    const ident = purl ?? (s(d.filePath) || s(d.fileName));
    for (const v of [...l(d.vulnerabilities), ...l(d.suppressedVulnerabilities)]) {
      const x = o(v);
      const v3 = o(x.cvssv3);
      const fixed = l(x.vulnerableSoftware).map((w) => o(o(w).software)).filter((w) => w.vulnerabilityIdMatched === 'true').map((w) => s(w.versionEndExcluding));
      c.add(s(x.name), ident, '', s(x.severity) || s(v3['baseSeverity>']) || s(v3.baseSeverity), fixed);
    }
  }
}

/** Reads a report of `format` (the importer's format names) and counts what it contains. */
export function expectedOf(format: string, bytes: Uint8Array): Expected {
  const text = new TextDecoder().decode(bytes);
  const c = new Collector();
  const json = (): unknown => JSON.parse(text.trim() || 'null');
  switch (format) {
    case 'trivy':
      trivy(json(), c);
      break;
    case 'trivy-operator':
      trivyOperator(json(), c);
      break;
    case 'grype':
      grype(json(), c);
      break;
    case 'osv-scanner':
      if (text.trim()) osvScanner(json(), c);
      break;
    case 'gitlab':
      gitlab(json(), c);
      break;
    case 'govulncheck':
      govulncheck(text, c);
      break;
    case 'npm-audit':
      npmAudit(json(), c);
      break;
    case 'cyclonedx':
      cyclonedx(json(), c);
      break;
    case 'dependency-check-xml':
      dependencyCheck(text, c);
      break;
    case 'dependency-check-json':
      dependencyCheckJson(json(), c);
      break;
    default:
      throw new Error(`no counter for ${format}`);
  }
  const keyKind = format.startsWith('dependency-check') ? 'count' : 'triple';
  return { triples: c.triples, keyKind, vulnIds: c.vulnIds };
}
