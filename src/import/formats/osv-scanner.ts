import { ReportBuilder } from '../builder.js';
import type { ParseContext } from '../context.js';
import { isObj, obj, objs, str, strs } from '../json.js';
import type { ImportedReport } from '../types.js';
import { osvFixedVersions, osvRating, osvReferences } from './osv.js';

/**
 * osv-scanner JSON (`osv-scanner --format json`): results[] per scanned source, each with packages[]
 * {package: {name, version, ecosystem}, vulnerabilities: [OSV records], groups: [{ids, aliases}]}. A
 * group is one vulnerability published under several ids: its ids and aliases become the finding's aliases.
 */
export function isOsvScanner(doc: unknown): boolean {
  return isObj(doc) && Array.isArray(doc.results) && doc.results.every((r) => isObj(r) && ('packages' in r || 'source' in r));
}

export function parseOsvScanner(doc: unknown, ctx: ParseContext): ImportedReport {
  const b = new ReportBuilder(ctx.file, { format: 'osv-scanner', scanner: 'osv-scanner' });
  const top = isObj(doc) ? doc : {};
  const sources: string[] = [];
  for (const result of objs(top.results)) {
    const source = str(obj(result.source).path);
    if (source) sources.push(source);
    for (const entry of objs(result.packages)) {
      const p = obj(entry.package);
      const name = str(p.name);
      if (!name) {
        b.skip('IMPORT_ENTRY_INCOMPLETE', `${source ?? 'a result'}: a package has no name${str(p.commit) ? ` (git commit ${str(p.commit)})` : ''}; its ${objs(entry.vulnerabilities).length} vulnerabilities (${objs(entry.vulnerabilities).map((v) => str(v.id) ?? '?').join(', ')}) are not imported`);
        continue;
      }
      const groups = objs(entry.groups);
      const ecosystem = str(p.ecosystem);
      const colon = ecosystem ? ecosystem.indexOf(':') : -1;
      const kind = ecosystem && colon > 0 ? ecosystem.slice(0, colon).toLowerCase() : ecosystem;
      const os = ecosystem && colon > 0 ? { family: kind!, version: ecosystem.slice(colon + 1) } : undefined;
      for (const v of objs(entry.vulnerabilities)) {
        const id = str(v.id);
        if (!id) {
          b.skip('IMPORT_ENTRY_INCOMPLETE', `${source ?? 'a result'}: a vulnerability of ${name} has no id; not imported`);
          continue;
        }
        const group = groups.find((g) => strs(g.ids).includes(id) || strs(g.aliases).includes(id));
        const rating = osvRating(v);
        b.addVuln({
          id,
          aliases: [...strs(v.aliases), ...strs(group?.ids), ...strs(group?.aliases)],
          package: { name, version: str(p.version) ?? '', ...(kind ? { kind } : {}), ...(os ? { os } : {}), ...(str(p.purl) ? { purl: str(p.purl)! } : {}) },
          severity: rating.severity,
          severityType: rating.type,
          ...(rating.vendor ? { severityVendor: rating.vendor } : {}),
          ...(rating.cvss ? { cvss: rating.cvss } : {}),
          fixedVersions: osvFixedVersions(v, name),
          ...(str(v.summary) ?? str(v.details) ? { title: (str(v.summary) ?? str(v.details))!.slice(0, 200) } : {}),
          references: osvReferences(v),
          locations: source ? [{ path: source }] : [],
        });
      }
    }
  }
  return b.build({ kind: sources.length === 1 ? 'file' : 'directory', name: sources.length === 1 ? sources[0]! : ctx.file }, { now: ctx.now, file: ctx.file });
}
