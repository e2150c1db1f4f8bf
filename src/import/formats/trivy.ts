import type { FixState } from '../../core/advisory.js';
import type { ScanTarget } from '../../core/report.js';
import { ParseError } from '../../core/errors.js';
import { ReportBuilder } from '../builder.js';
import type { ParseContext } from '../context.js';
import type { Json } from '../json.js';
import { arr, isObj, num, obj, objs, str, strs } from '../json.js';
import type { OsHint } from '../package-id.js';
import { osHint } from '../package-id.js';
import { severityOf, severityOfTrivyNumber } from '../severity.js';
import type { ImportedReport } from '../types.js';

/**
 * Trivy JSON: schema 2 (`{SchemaVersion: 2, Results: [...]}` for images, file systems and repositories),
 * the legacy schema 1 (a top-level array of results, or `null` when nothing was found) and `trivy k8s`
 * cluster reports (`ClusterName` with `Vulnerabilities`/`Misconfigurations` lists of resources, or with
 * `Resources`). Only vulnerabilities are imported; misconfigurations, secrets and licences are counted in
 * an unknown so nobody mistakes their absence for a clean result.
 */

const OS_CLASSES = new Set(['os-pkgs']);
const OS_TYPES = new Set(['debian', 'ubuntu', 'alpine', 'redhat', 'centos', 'rocky', 'alma', 'almalinux', 'amazon', 'oracle', 'fedora', 'photon', 'suse', 'opensuse', 'opensuse-leap', 'sles', 'cbl-mariner', 'mariner', 'azurelinux', 'wolfi', 'chainguard']);

/** "image:tag (debian 10.13)" → debian 10.13. */
function osOfTarget(target: string | undefined): OsHint | undefined {
  const m = target ? /\(([a-z][\w-]*) ([\w.+~-]+)\)\s*$/i.exec(target) : null;
  return m ? osHint(m[1], m[2]) : undefined;
}

function fixStateOf(status: string | undefined, hasFix: boolean): FixState {
  switch (status) {
    case 'will_not_fix':
    case 'end_of_life':
      return 'wont-fix';
    case 'fixed':
      return 'fixed';
    default:
      return hasFix ? 'fixed' : 'not-fixed';
  }
}

function cvssOf(v: Json, vendor: string | undefined): { score: number; vector: string } | undefined {
  const all = obj(v.CVSS);
  const order = [vendor, 'nvd', 'ghsa', 'redhat', ...Object.keys(all)].filter((x): x is string => !!x);
  for (const k of order) {
    const c = obj(all[k]);
    for (const [vec, score] of [['V40Vector', 'V40Score'], ['V3Vector', 'V3Score'], ['V2Vector', 'V2Score']] as const) {
      const vector = str(c[vec]);
      const s = num(c[score]);
      if (vector && s !== undefined) return { score: s, vector };
    }
  }
  return undefined;
}

/**
 * A `Packages` entry's installed version. Trivy splits OS package versions into Epoch, Version and Release
 * (dpkg 1:4.13+dfsg1-1+deb12u2 → 1, 4.13+dfsg1, 1+deb12u2) where a vulnerability's InstalledVersion has them
 * joined; joined again here, or the inventory would hold versions nothing can be matched against.
 */
function packageVersion(p: Json): string {
  const version = str(p.Version) ?? '';
  if (!version) return '';
  const epoch = num(p.Epoch);
  const release = str(p.Release);
  return `${epoch ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;
}

interface Counts {
  misconfigurations: number;
  secrets: number;
  licenses: number;
}

function readResult(b: ReportBuilder, result: Json, reportOs: OsHint | undefined, prefix: string, counts: Counts): void {
  const target = str(result.Target) ?? '(no target)';
  const cls = str(result.Class);
  const type = str(result.Type)?.toLowerCase();
  const isOs = (cls && OS_CLASSES.has(cls)) || (type !== undefined && OS_TYPES.has(type));
  const os = isOs ? (osOfTarget(target) ?? reportOs ?? (type ? osHint(type, undefined) : undefined)) : undefined;
  counts.misconfigurations += objs(result.Misconfigurations).length;
  counts.secrets += objs(result.Secrets).length;
  counts.licenses += objs(result.Licenses).length;
  const kind = isOs ? (type ?? os?.family) : type;
  for (const p of objs(result.Packages)) {
    const name = str(p.Name);
    if (!name) continue;
    b.addPackage({ name, version: packageVersion(p), ...(kind ? { kind } : {}), ...(str(obj(p.Identifier).PURL) ? { purl: str(obj(p.Identifier).PURL) } : {}), ...(str(p.SrcName) ? { sourceName: str(p.SrcName) } : {}), ...(os ? { os } : {}) }, [{ path: `${prefix}${str(p.FilePath) ?? target}` }]);
  }
  const vulns = arr(result.Vulnerabilities);
  vulns.forEach((raw, i) => {
    if (!isObj(raw)) return b.skip('IMPORT_ENTRY_INVALID', `${prefix}${target}: vulnerability #${i + 1} is not an object`);
    const id = str(raw.VulnerabilityID);
    const name = str(raw.PkgName);
    if (!id || !name) {
      return b.skip('IMPORT_ENTRY_INCOMPLETE', `${prefix}${target}: vulnerability #${i + 1}${name ? ` in ${name}` : ''} has no ${id ? 'package name' : 'VulnerabilityID'}; not imported`);
    }
    const vendor = str(raw.SeveritySource);
    const vendorNumber = vendor ? num(obj(raw.VendorSeverity)[vendor]) : undefined;
    const severity = str(raw.Severity) ? severityOf(str(raw.Severity)) : vendorNumber !== undefined ? severityOfTrivyNumber(vendorNumber) : 'UNKNOWN';
    const fixed = (str(raw.FixedVersion) ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    const status = str(raw.Status);
    const cvss = cvssOf(raw, vendor);
    const layer = str(obj(raw.Layer).DiffID) ?? str(obj(raw.Layer).Digest);
    b.addVuln({
      id,
      aliases: strs(raw.VendorIDs),
      package: { name, version: str(raw.InstalledVersion) ?? '', ...(kind ? { kind } : {}), ...(str(obj(raw.PkgIdentifier).PURL) ? { purl: str(obj(raw.PkgIdentifier).PURL) } : {}), ...(str(raw.PkgSrcName) ?? str(raw.SrcName) ? { sourceName: str(raw.PkgSrcName) ?? str(raw.SrcName) } : {}), ...(os ? { os } : {}) },
      severity,
      ...(vendor ? { severityVendor: vendor } : {}),
      ...(cvss ? { cvss } : {}),
      fixedVersions: fixed,
      fixState: fixStateOf(status, fixed.length > 0),
      ...(str(raw.Title) ?? str(raw.Description) ? { title: str(raw.Title) ?? str(raw.Description)!.slice(0, 200) } : {}),
      references: [str(raw.PrimaryURL), ...strs(raw.References)].filter((r): r is string => !!r),
      ...(status ? { why: `reported by trivy (status ${status})` } : {}),
      locations: [{ path: `${prefix}${str(raw.PkgPath) ?? target}`, ...(layer ? { layer } : {}) }],
      ...(layer ? { layer } : {}),
      ...(status === 'not_affected' ? { suppressed: { reason: 'Trivy status not_affected' } } : {}),
    });
  });
}

function noteCounts(b: ReportBuilder, c: Counts): void {
  const parts = [
    c.misconfigurations ? `${c.misconfigurations} misconfiguration(s)` : '',
    c.secrets ? `${c.secrets} secret(s)` : '',
    c.licenses ? `${c.licenses} licence finding(s)` : '',
  ].filter((s) => s);
  if (parts.length > 0) b.note(`the Trivy report also holds ${parts.join(', ')}; Bulwark imports vulnerabilities only`);
}

function scanTarget(doc: Json, file: string): ScanTarget {
  const type = str(doc.ArtifactType);
  // Anonymised reports blank ArtifactName; an image's OS result names it too ("repo:tag (debian 10.13)").
  const osTarget = type === 'container_image' ? objs(doc.Results).map((r) => str(r.Target)).find((t) => t && osOfTarget(t)) : undefined;
  const name =
    str(doc.ArtifactName) ??
    strs(obj(doc.Metadata).RepoTags)[0] ??
    osTarget?.replace(/\s*\([^)]*\)\s*$/, '') ??
    (str(doc.ClusterName) ? `cluster ${str(doc.ClusterName)}` : file);
  if (type === 'container_image' || type === 'container-image') {
    const meta = obj(doc.Metadata);
    const digest = strs(meta.RepoDigests).map((d) => d.slice(d.indexOf('@') + 1)).find((d) => /^[a-z0-9]+:[a-f0-9]+$/.test(d));
    const config = str(meta.ImageID);
    return {
      kind: 'image',
      name,
      image: { reference: name, layers: [], ...(digest ? { manifestDigest: digest } : {}), ...(config && /^[a-z0-9]+:[a-f0-9]+$/.test(config) ? { configDigest: config } : {}) },
    };
  }
  if (type === 'filesystem' || type === 'repository') return { kind: 'directory', name };
  return { kind: 'file', name };
}

export function isTrivy(doc: unknown): boolean {
  if (doc === null) return true; // legacy schema 1 with nothing found
  if (Array.isArray(doc)) return doc.length > 0 && doc.every((r) => isObj(r) && 'Target' in r && !('kind' in r));
  if (!isObj(doc)) return false;
  if ('SchemaVersion' in doc && ('Results' in doc || 'ArtifactName' in doc)) return true;
  return 'ClusterName' in doc && ('Vulnerabilities' in doc || 'Resources' in doc || 'Misconfigurations' in doc);
}

export function parseTrivy(doc: unknown, ctx: ParseContext): ImportedReport {
  const top = isObj(doc) ? doc : {};
  const version = str(obj(top.Trivy).Version);
  const b = new ReportBuilder(ctx.file, { format: 'trivy', scanner: 'trivy', ...(version ? { scannerVersion: version } : {}) });
  const counts: Counts = { misconfigurations: 0, secrets: 0, licenses: 0 };
  if (doc === null || Array.isArray(doc)) {
    for (const r of arr(doc)) if (isObj(r)) readResult(b, r, undefined, '', counts);
  } else if (isObj(doc) && 'ClusterName' in doc) {
    const resources = [...objs(doc.Vulnerabilities), ...objs(doc.Misconfigurations), ...objs(doc.Resources)];
    for (const res of resources) {
      const prefix = `${str(res.Namespace) ?? '(cluster)'}/${str(res.Kind) ?? '?'}/${str(res.Name) ?? '?'}: `;
      const meta = obj(res.Metadata);
      const os = osHint(str(obj(meta.OS).Family), str(obj(meta.OS).Name));
      for (const r of objs(res.Results)) readResult(b, r, os, prefix, counts);
    }
  } else if (isObj(doc)) {
    const schema = num(doc.SchemaVersion);
    if (schema !== undefined && schema !== 2) throw new ParseError(ctx.file, `Trivy report schema version ${schema} is not supported (only 2, and the legacy array form)`);
    const os = osHint(str(obj(obj(doc.Metadata).OS).Family), str(obj(obj(doc.Metadata).OS).Name));
    if (os) b.setOs({ family: os.family, version: os.version ?? '', name: `${os.family} ${os.version ?? ''}`.trim() });
    for (const r of objs(doc.Results)) readResult(b, r, os, '', counts);
  }
  noteCounts(b, counts);
  return b.build(scanTarget(top, ctx.file), { createdAt: str(top.CreatedAt), now: ctx.now, file: ctx.file });
}
