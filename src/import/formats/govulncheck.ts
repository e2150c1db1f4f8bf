import { ParseError } from '../../core/errors.js';
import { ReportBuilder } from '../builder.js';
import type { ParseContext } from '../context.js';
import type { Json } from '../json.js';
import { isObj, obj, objs, str, strs } from '../json.js';
import type { ImportedReport } from '../types.js';
import { osvFixedVersions, osvRating, osvReferences } from './osv.js';

/**
 * govulncheck JSON. Pre-1.0 (`govulncheck -json` before v1.0.0): one object {Calls, Imports, Requires,
 * Vulns[{OSV, ModPath, …}]}, the module versions in Requires.Modules. v1 (`-format json`): a stream of
 * messages {config} {progress} {SBOM} {osv} {finding}, written as concatenated objects or as a JSON array;
 * a finding is {osv, fixed_version, trace[{module, version, …}]}. Findings at module, package and symbol
 * level of one vulnerability and module are one Bulwark finding.
 */

function moduleKind(path: string): string {
  return path === 'stdlib' || path === 'toolchain' ? 'go' : 'gomod';
}

export function isGovulncheckLegacy(doc: unknown): boolean {
  return isObj(doc) && 'Vulns' in doc && ('Requires' in doc || 'Calls' in doc || 'Modules' in doc);
}

export function isGovulncheckStream(values: readonly unknown[]): boolean {
  return values.length > 0 && values.every((v) => isObj(v)) && values.some((v) => isObj(v) && isObj(v.config) && str(v.config.protocol_version) !== undefined);
}

function parseLegacy(doc: Json, ctx: ParseContext): ImportedReport {
  const b = new ReportBuilder(ctx.file, { format: 'govulncheck', scanner: 'govulncheck' });
  const versions = new Map<string, string>();
  for (const m of Object.values(obj(obj(doc.Requires).Modules))) {
    if (isObj(m) && str(m.Path)) versions.set(str(m.Path)!, str(m.Version) ?? '');
  }
  for (const m of objs(doc.Modules)) if (str(m.Path) && !versions.has(str(m.Path)!)) versions.set(str(m.Path)!, str(m.Version) ?? '');
  for (const [path, version] of versions) if (version) b.addPackage({ name: path, version, kind: moduleKind(path) });
  objs(doc.Vulns).forEach((v, i) => {
    const osv = obj(v.OSV);
    const id = str(osv.id);
    const mod = str(v.ModPath);
    if (!id || !mod) return b.skip('IMPORT_ENTRY_INCOMPLETE', `Vulns #${i + 1} has no ${id ? 'ModPath' : 'OSV id'}; not imported`);
    const rating = osvRating(osv);
    const symbol = [str(v.PkgPath), str(v.Symbol)].filter((s) => s).join('.');
    b.addVuln({
      id,
      aliases: strs(osv.aliases),
      package: { name: mod, version: versions.get(mod) ?? '', kind: moduleKind(mod) },
      severity: rating.severity,
      severityType: rating.type,
      ...(rating.vendor ? { severityVendor: rating.vendor } : {}),
      ...(rating.cvss ? { cvss: rating.cvss } : {}),
      fixedVersions: osvFixedVersions(osv, mod),
      ...(str(osv.summary) ?? str(osv.details) ? { title: (str(osv.summary) ?? str(osv.details))!.slice(0, 200) } : {}),
      references: osvReferences(osv),
      ...(symbol ? { why: `govulncheck: ${symbol} is reachable` } : {}),
    });
  });
  return b.build({ kind: 'directory', name: ctx.file }, { now: ctx.now, file: ctx.file });
}

function parseStream(values: readonly unknown[], ctx: ParseContext): ImportedReport {
  const messages = values.filter(isObj);
  const config = obj(messages.find((m) => isObj(m.config))?.config);
  const b = new ReportBuilder(ctx.file, { format: 'govulncheck', scanner: str(config.scanner_name) ?? 'govulncheck', ...(str(config.scanner_version) ? { scannerVersion: str(config.scanner_version)! } : {}) });
  const osvs = new Map<string, Json>();
  for (const m of messages) {
    if (isObj(m.osv) && str(m.osv.id)) osvs.set(str(m.osv.id)!, m.osv);
    if (isObj(m.SBOM)) {
      for (const mod of objs(m.SBOM.modules)) {
        const path = str(mod.path);
        if (path && str(mod.version)) b.addPackage({ name: path, version: str(mod.version)!, kind: moduleKind(path) });
      }
    }
  }
  messages.forEach((m, i) => {
    if (!isObj(m.finding)) return;
    const f = m.finding;
    const id = str(f.osv);
    const frame = objs(f.trace)[0];
    const mod = str(frame?.module);
    if (!id || !mod) return b.skip('IMPORT_ENTRY_INCOMPLETE', `message #${i + 1}: a finding without ${id ? 'a module in its trace' : 'an osv id'}; not imported`);
    const osv = osvs.get(id) ?? {};
    const rating = osvRating(osv);
    const level = frame?.function ? 'symbol' : frame?.package ? 'package' : 'module';
    const fixed = str(f.fixed_version);
    b.addVuln({
      id,
      aliases: strs(osv.aliases),
      package: { name: mod, version: str(frame?.version) ?? '', kind: moduleKind(mod) },
      severity: rating.severity,
      severityType: rating.type,
      ...(rating.vendor ? { severityVendor: rating.vendor } : {}),
      ...(rating.cvss ? { cvss: rating.cvss } : {}),
      fixedVersions: fixed ? [fixed] : osvFixedVersions(osv, mod),
      ...(str(osv.summary) ?? str(osv.details) ? { title: (str(osv.summary) ?? str(osv.details))!.slice(0, 200) } : {}),
      references: osvReferences(osv),
      why: `govulncheck: ${level}-level finding${frame?.function ? ` (${str(frame.package) ?? ''}.${str(frame.function) ?? ''})` : ''}`,
      locations: objs(f.trace)
        .map((t) => obj(t.position))
        .filter((p) => str(p.filename))
        .slice(0, 1)
        .map((p) => ({ path: str(p.filename)!, ...(typeof p.line === 'number' && p.line >= 1 ? { line: p.line } : {}) })),
    });
  });
  return b.build({ kind: 'directory', name: ctx.file }, { now: ctx.now, file: ctx.file });
}

export function parseGovulncheck(doc: unknown, ctx: ParseContext): ImportedReport {
  if (Array.isArray(doc)) return parseStream(doc, ctx);
  if (isGovulncheckLegacy(doc) && isObj(doc)) return parseLegacy(doc, ctx);
  if (isObj(doc) && isObj(doc.config)) return parseStream([doc], ctx);
  throw new ParseError(ctx.file, 'not a govulncheck report: expected the v1 message stream or the pre-1.0 object with Vulns');
}
