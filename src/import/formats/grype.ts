import type { FixState } from '../../core/advisory.js';
import type { ScanTarget } from '../../core/report.js';
import { ReportBuilder } from '../builder.js';
import type { ParseContext } from '../context.js';
import type { Json } from '../json.js';
import { arr, isObj, num, obj, objs, str, strs } from '../json.js';
import { osHint } from '../package-id.js';
import { severityOf } from '../severity.js';
import type { ImportedReport } from '../types.js';

/**
 * Grype JSON (`grype -o json`): `matches[]` of {vulnerability, relatedVulnerabilities, matchDetails,
 * artifact}. Old releases (0.7) give `matchDetails` as one object, `links` and `cvssV2`; newer ones a list,
 * `urls`, `cvss[]`, `fix`, and (0.9x) EPSS and risk, which are ignored.
 */

function cvssOf(v: Json): { score: number; vector: string; type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' } | undefined {
  const list = objs(v.cvss);
  const pick = (prefix: string): Json | undefined => list.find((c) => (str(c.version) ?? '').startsWith(prefix));
  const c = pick('4') ?? pick('3') ?? pick('2');
  if (c) {
    const score = num(obj(c.metrics).baseScore);
    const vector = str(c.vector);
    const version = str(c.version) ?? '';
    if (score !== undefined && vector) return { score, vector, type: version.startsWith('4') ? 'CVSS_V4' : version.startsWith('3') ? 'CVSS_V3' : 'CVSS_V2' };
  }
  for (const [key, type] of [['cvssV3', 'CVSS_V3'], ['cvssV2', 'CVSS_V2']] as const) {
    const old = obj(v[key]);
    const score = num(old.baseScore);
    const vector = str(old.vector);
    if (score !== undefined && vector) return { score, vector, type };
  }
  return undefined;
}

function fixStateOf(state: string | undefined, hasFix: boolean): FixState {
  if (state === 'wont-fix') return 'wont-fix';
  return hasFix || state === 'fixed' ? 'fixed' : 'not-fixed';
}

function constraintOf(m: Json): string | undefined {
  const details = Array.isArray(m.matchDetails) ? objs(m.matchDetails) : isObj(m.matchDetails) ? [m.matchDetails] : [];
  for (const d of details) {
    const c = str(obj(d.found).versionConstraint) ?? str(obj(d.matchedOn).constraint);
    if (c) return `${str(d.matcher) ?? 'grype'}: ${c}`;
  }
  return undefined;
}

export function isGrype(doc: unknown): boolean {
  return isObj(doc) && Array.isArray(doc.matches) && (isObj(doc.descriptor) || isObj(doc.source) || 'distro' in doc || doc.matches.some((m) => isObj(m) && isObj(m.artifact)));
}

function scanTarget(doc: Json, file: string): ScanTarget {
  const source = obj(doc.source);
  const t = obj(source.target);
  const name = str(t.userInput) ?? (typeof source.target === 'string' ? str(source.target) : undefined) ?? file;
  if (str(source.type) === 'image') {
    const digest = str(t.manifestDigest);
    const config = str(t.imageID);
    const ok = (d: string | undefined): d is string => !!d && /^[a-z0-9]+:[a-f0-9]+$/.test(d);
    return { kind: 'image', name, image: { reference: name, layers: [], ...(ok(digest) ? { manifestDigest: digest } : {}), ...(ok(config) ? { configDigest: config } : {}) } };
  }
  return { kind: str(source.type) === 'directory' ? 'directory' : 'file', name };
}

export function parseGrype(doc: unknown, ctx: ParseContext): ImportedReport {
  const top = isObj(doc) ? doc : {};
  const version = str(obj(top.descriptor).version);
  const b = new ReportBuilder(ctx.file, { format: 'grype', scanner: 'grype', ...(version ? { scannerVersion: version } : {}) });
  const distro = obj(top.distro);
  const os = osHint(str(distro.name), str(distro.version));
  if (os) b.setOs({ family: os.family, version: os.version ?? '', name: `${os.family} ${os.version ?? ''}`.trim() });
  arr(top.matches).forEach((m, i) => {
    if (!isObj(m)) return b.skip('IMPORT_ENTRY_INVALID', `match #${i + 1} is not an object`);
    const v = obj(m.vulnerability);
    const a = obj(m.artifact);
    const id = str(v.id);
    const name = str(a.name);
    if (!id || !name) return b.skip('IMPORT_ENTRY_INCOMPLETE', `match #${i + 1}${name ? ` in ${name}` : ''} has no ${id ? 'artifact name' : 'vulnerability id'}; not imported`);
    const related = objs(m.relatedVulnerabilities);
    const cvss = cvssOf(v) ?? related.map(cvssOf).find((c) => c !== undefined);
    const fix = obj(v.fix);
    const fixed = strs(fix.versions);
    const sourceName = str(obj(a.metadata).Source) ?? str(obj(a.metadata).sourceRpm) ?? objs(a.upstreams).map((u) => str(u.name)).find((n) => n);
    const locations = objs(a.locations).map((l) => ({ path: str(l.path) ?? str(l.realPath) ?? '(unknown)', ...(str(l.layerID) ? { layer: str(l.layerID)! } : {}) }));
    const word = str(v.severity);
    b.addVuln({
      id,
      aliases: related.map((r) => str(r.id)).filter((x): x is string => !!x),
      package: { name, version: str(a.version) ?? '', ...(str(a.type) ? { kind: str(a.type)! } : {}), ...(str(a.purl) ? { purl: str(a.purl)! } : {}), ...(sourceName ? { sourceName } : {}), ...(os ? { os } : {}) },
      severity: severityOf(word, cvss?.score),
      ...(str(v.namespace) ? { severityVendor: str(v.namespace)! } : {}),
      ...(word && word.toLowerCase() !== 'unknown' ? {} : cvss ? { severityType: cvss.type } : {}),
      ...(cvss ? { cvss: { score: cvss.score, vector: cvss.vector } } : {}),
      fixedVersions: fixed,
      fixState: fixStateOf(str(fix.state), fixed.length > 0),
      ...(str(v.description) ?? str(related[0]?.description) ? { title: (str(v.description) ?? str(related[0]?.description))!.slice(0, 200) } : {}),
      references: [str(v.dataSource), ...strs(v.urls), ...strs(v.links)].filter((r): r is string => !!r),
      ...(constraintOf(m) ? { why: constraintOf(m)! } : {}),
      locations,
    });
  });
  return b.build(scanTarget(top, ctx.file), { now: ctx.now, file: ctx.file, ...(str(obj(top.descriptor).timestamp) ? { createdAt: str(obj(top.descriptor).timestamp)! } : {}) });
}
