import { ParseError } from '../../core/errors.js';
import { ReportBuilder } from '../builder.js';
import type { ParseContext } from '../context.js';
import type { Json } from '../json.js';
import { isObj, num, obj, objs, str } from '../json.js';
import { severityOf } from '../severity.js';
import type { ImportedReport } from '../types.js';

/**
 * CycloneDX JSON (1.4 to 1.6) with `vulnerabilities`: each vulnerability `affects` components by
 * bom-ref; the components (nested too) give name, version and purl. Ratings give the severity (the
 * first rating with a severity, CVSS ones first), `analysis.state` not_affected / false_positive /
 * resolved marks the finding suppressed, and fixed versions come from `affects[].versions` with status
 * unaffected or from a `…:fixedVersion` property (Bulwark writes one).
 */
export function isCycloneDx(doc: unknown): boolean {
  return isObj(doc) && str(doc.bomFormat) === 'CycloneDX';
}

function componentsByRef(doc: Json): Map<string, Json> {
  const map = new Map<string, Json>();
  const walk = (list: unknown): void => {
    for (const c of objs(list)) {
      const ref = str(c['bom-ref']);
      if (ref) map.set(ref, c);
      walk(c.components);
    }
  };
  walk(doc.components);
  const meta = obj(obj(doc.metadata).component);
  if (str(meta['bom-ref'])) map.set(str(meta['bom-ref'])!, meta);
  return map;
}

const METHOD_RANK: Record<string, number> = { CVSSv4: 4, CVSSv31: 3, CVSSv3: 3, CVSSv2: 2 };

export function parseCycloneDx(doc: unknown, ctx: ParseContext): ImportedReport {
  if (!isObj(doc)) throw new ParseError(ctx.file, 'not a CycloneDX document');
  const tools = obj(doc.metadata).tools;
  const tool = isObj(tools) ? objs(tools.components)[0] : objs(tools)[0];
  const b = new ReportBuilder(ctx.file, { format: 'cyclonedx', scanner: str(tool?.name) ?? 'cyclonedx', ...(str(tool?.version) ? { scannerVersion: str(tool?.version)! } : {}) });
  const refs = componentsByRef(doc);
  if (!Array.isArray(doc.vulnerabilities)) {
    throw new ParseError(ctx.file, 'this CycloneDX document has no vulnerabilities list; it is an SBOM, not a vulnerability report', { hint: 'scan it instead: bulwark scan sbom:<file>' });
  }
  for (const c of refs.values()) {
    const name = str(c.name);
    if (name && c !== obj(obj(doc.metadata).component) && str(c.type) !== 'operating-system') b.addPackage({ name, version: str(c.version) ?? '', ...(str(c.purl) ? { purl: str(c.purl)! } : {}) });
  }
  objs(doc.vulnerabilities).forEach((v, i) => {
    const id = str(v.id);
    if (!id) return b.skip('IMPORT_ENTRY_INCOMPLETE', `vulnerability #${i + 1} has no id; not imported`);
    const ratings = objs(v.ratings).sort((a, b2) => (METHOD_RANK[str(b2.method) ?? ''] ?? 0) - (METHOD_RANK[str(a.method) ?? ''] ?? 0));
    const rating = ratings.find((r) => str(r.severity) && str(r.severity) !== 'unknown') ?? ratings[0];
    const score = num(rating?.score);
    const vector = str(rating?.vector);
    const state = str(obj(v.analysis).state);
    const fixedProp = objs(v.properties).find((p) => /fixedversion$/i.test(str(p.name) ?? ''));
    const aliases = objs(v.references).map((r) => str(r.id)).filter((x): x is string => !!x);
    if (objs(v.affects).length === 0) b.skip('IMPORT_ENTRY_INCOMPLETE', `vulnerability ${id} affects no component; not imported`);
    for (const a of objs(v.affects)) {
      const ref = str(a.ref);
      const c = ref ? refs.get(ref) : undefined;
      const name = str(c?.name);
      if (!c || !name) {
        b.skip('IMPORT_ENTRY_INCOMPLETE', `vulnerability ${id} affects ${ref ?? 'a component without a ref'}, which the document does not list; not imported`);
        continue;
      }
      const fixed = objs(a.versions).filter((x) => str(x.status) === 'unaffected').map((x) => str(x.version)).filter((x): x is string => !!x);
      if (fixedProp && str(fixedProp.value)) fixed.push(str(fixedProp.value)!);
      b.addVuln({
        id,
        aliases,
        package: { name, version: str(c.version) ?? '', ...(str(c.purl) ? { purl: str(c.purl)! } : {}) },
        severity: severityOf(str(rating?.severity), score),
        ...(str(obj(rating?.source).name) ?? str(obj(v.source).name) ? { severityVendor: (str(obj(rating?.source).name) ?? str(obj(v.source).name))! } : {}),
        ...(score !== undefined && vector ? { cvss: { score, vector } } : {}),
        fixedVersions: fixed,
        ...(str(v.description) ?? str(v.detail) ? { title: (str(v.description) ?? str(v.detail))!.slice(0, 200) } : {}),
        references: [str(obj(v.source).url), ...objs(v.advisories).map((x) => str(x.url))].filter((u): u is string => !!u),
        ...(state === 'not_affected' || state === 'false_positive' || state === 'resolved' ? { suppressed: { reason: `CycloneDX analysis: ${state}${str(obj(v.analysis).detail) ? ` (${str(obj(v.analysis).detail)})` : ''}` } } : {}),
      });
    }
  });
  const target = str(obj(obj(doc.metadata).component).name) ?? ctx.file;
  return b.build({ kind: 'sbom', name: target }, { now: ctx.now, file: ctx.file, ...(str(obj(doc.metadata).timestamp) ? { createdAt: str(obj(doc.metadata).timestamp)! } : {}) });
}
