import { ReportBuilder } from '../builder.js';
import type { ParseContext } from '../context.js';
import type { Json } from '../json.js';
import { arr, isObj, obj, objs, str } from '../json.js';
import { osHint } from '../package-id.js';
import { severityOf } from '../severity.js';
import type { ImportedReport } from '../types.js';

/**
 * GitLab dependency-scanning and container-scanning reports (schema versions 3 to 15): vulnerabilities[]
 * with identifiers (the CVE/GHSA/Gemnasium ids), location.dependency {package.name, version} and either
 * location.file (dependency scanning; the package manager from dependency_files) or
 * location.operating_system + image (container scanning). The v14 fields (message, category, scanner,
 * confidence) are accepted and not needed; `cve` (a GitLab fingerprint, not a CVE) is not used as an id.
 */

const ID_ORDER = ['cve', 'ghsa', 'osvdb', 'gemnasium', 'gms', 'rustsec', 'go', 'pysec'];

function primaryId(v: Json): { id: string; aliases: string[] } | undefined {
  const ids = objs(v.identifiers)
    .map((i) => ({ type: (str(i.type) ?? '').toLowerCase(), value: str(i.value) ?? str(i.name) }))
    // CWE and OWASP identifiers name weakness classes, not vulnerabilities.
    .filter((i): i is { type: string; value: string } => !!i.value && i.type !== 'cwe' && i.type !== 'owasp');
  if (ids.length === 0) return undefined;
  const rank = (t: string): number => {
    const r = ID_ORDER.indexOf(t);
    return r < 0 ? ID_ORDER.length : r;
  };
  const sorted = [...ids].sort((a, b) => rank(a.type) - rank(b.type));
  return { id: sorted[0]!.value, aliases: sorted.slice(1).map((i) => i.value) };
}

/** "Upgrade to version 2.2.3 or above.", "Upgrade apt from 1.4.8 to 1.4.9", "Upgrade to 1.2.3, 2.0.1" → versions. */
export function versionsInSolution(solution: string | undefined): string[] {
  if (!solution) return [];
  const m = /\bto\s+(?:versions?\s+)?(.+?)(?:\s+or\s+(?:above|later|greater|higher))?\.?\s*$/i.exec(solution.trim());
  if (!m) return [];
  return m[1]!
    .split(/\s*(?:,|\bor\b|\band\b)\s*/)
    .map((s) => s.replace(/[.\s]+$/, '').trim())
    .filter((s) => /^v?\d[\w.+~:-]*$/.test(s));
}

export function isGitlab(doc: unknown): boolean {
  if (!isObj(doc) || !Array.isArray(doc.vulnerabilities)) return false;
  const type = str(obj(doc.scan).type);
  if (type === 'dependency_scanning' || type === 'container_scanning') return true;
  return typeof doc.version === 'string' && doc.vulnerabilities.some((v) => isObj(v) && isObj(v.location) && isObj(v.location.dependency));
}

export function parseGitlab(doc: unknown, ctx: ParseContext): ImportedReport {
  const top = isObj(doc) ? doc : {};
  const scan = obj(top.scan);
  const scanner = obj(scan.scanner);
  const scannerId = str(scanner.id) ?? str(obj(objs(top.vulnerabilities)[0]?.scanner).id) ?? 'gitlab';
  const b = new ReportBuilder(ctx.file, { format: 'gitlab', scanner: scannerId, ...(str(scanner.version) ? { scannerVersion: str(scanner.version)! } : {}) });
  const managers = new Map<string, string>();
  for (const f of objs(top.dependency_files)) {
    const path = str(f.path);
    const pm = str(f.package_manager);
    if (path && pm) managers.set(path, pm);
    for (const d of objs(f.dependencies)) {
      const name = str(obj(d.package).name);
      if (name) b.addPackage({ name, version: str(d.version) ?? '', ...(pm ? { kind: pm } : {}) }, path ? [{ path }] : []);
    }
  }
  let image: string | undefined;
  arr(top.vulnerabilities).forEach((raw, i) => {
    if (!isObj(raw)) return b.skip('IMPORT_ENTRY_INVALID', `vulnerability #${i + 1} is not an object`);
    const loc = obj(raw.location);
    const dep = obj(loc.dependency);
    const name = str(obj(dep.package).name);
    const ids = primaryId(raw);
    const label = str(raw.name) ?? str(raw.message) ?? ids?.id ?? `#${i + 1}`;
    if (!ids) return b.skip('IMPORT_ENTRY_INCOMPLETE', `vulnerability ${label} has no identifiers; not imported`);
    if (!name) return b.skip('IMPORT_ENTRY_INCOMPLETE', `vulnerability ${ids.id} names no package (location.dependency.package.name); not imported`);
    const file = str(loc.file);
    const osText = str(loc.operating_system);
    // "debian:9.4", "debian 10.9", "alpine 3.15.0", or "Unknown".
    const osParts = osText && !/^unknown$/i.test(osText) ? osText.split(/[:\s]+/) : [];
    const os = osHint(osParts[0], osParts[1]);
    image ??= str(loc.image);
    const pm = file ? managers.get(file) : undefined;
    b.addVuln({
      id: ids.id,
      aliases: ids.aliases,
      package: { name, version: str(dep.version) ?? '', ...(pm ? { kind: pm } : {}), ...(os ? { os } : {}) },
      severity: severityOf(str(raw.severity)),
      fixedVersions: versionsInSolution(str(raw.solution)),
      ...(str(raw.name) ?? str(raw.message) ?? str(raw.description) ? { title: (str(raw.name) ?? str(raw.message) ?? str(raw.description))!.slice(0, 200) } : {}),
      references: [...objs(raw.links).map((l) => str(l.url)), ...objs(raw.identifiers).map((x) => str(x.url))].filter((u): u is string => !!u),
      ...(str(raw.solution) ? { why: `reported by ${scannerId}: ${str(raw.solution)}` } : {}),
      locations: [{ path: file ?? image ?? osText ?? ctx.file }],
    });
    if (os) b.setOs({ family: os.family, version: os.version ?? '', name: osText! });
  });
  const created = str(scan.end_time) ?? str(scan.start_time);
  return b.build(image ? { kind: 'image', name: image, image: { reference: image, layers: [] } } : { kind: 'directory', name: ctx.file }, { now: ctx.now, file: ctx.file, ...(created ? { createdAt: created } : {}) });
}
