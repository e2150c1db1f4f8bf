/**
 * pnpm-lock.yaml, lockfile versions 5.x (`/name/1.2.3_peer@1`), 6.x (`/name@1.2.3(peer@1)`) and 9.x
 * (`packages:` + `snapshots:` keyed `name@1.2.3(peer@1)`, importers for the projects).
 * Pure: text in, records out.
 */
import { parseYamlDocuments, yaml as lib } from '../../formats/yaml.js';
import type { Document } from 'yaml';
import { FormatError } from '../../formats/error.js';

export interface PnpmPackage {
  /** Snapshot/package key without peer suffix, e.g. `name@1.2.3`; used for graph edges. */
  id: string;
  name: string;
  /** Version as written; may be a URL or `file:` path for non-registry packages (see `source`). */
  version: string;
  /** 'registry', or 'tarball' / 'git' / 'directory' / 'file' / 'link' for other sources. */
  source: string;
  /** dev flag as the lockfile says (v5/v6 only): true, false or undefined (both). */
  dev: boolean | undefined;
  /** Ids this one depends on (prod + optional). */
  dependencies: string[];
  offset: number | undefined;
}

export interface PnpmImporter {
  path: string;
  prod: string[];
  dev: string[];
}

export interface PnpmLock {
  lockfileVersion: number;
  packages: PnpmPackage[];
  importers: PnpmImporter[];
  dropped: string[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Removes a peer suffix: `1.2.3(react@18)(x@1)` (v6+) or `1.2.3_react@18` (v5). */
function stripPeers(v: string, major: number): string {
  const paren = v.indexOf('(');
  let out = paren >= 0 ? v.slice(0, paren) : v;
  if (major < 6) {
    const us = out.indexOf('_');
    if (us > 0) out = out.slice(0, us);
  }
  return out;
}

/** Splits a package key into name and version, for any lockfile version. */
export function parseKey(key: string, major: number): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  // `registry.npmjs.org/lodash/4.17.10` (v5) and `registry.npmjs.org/lodash@4.17.10` (v6): drop the host
  if (!k.startsWith('@')) {
    const slash = k.indexOf('/');
    const at = k.indexOf('@');
    if (slash > 0 && (major >= 6 ? at < 0 || slash < at : k.split('/').length >= 3)) k = k.slice(slash + 1);
  }
  if (major >= 6 || (major < 6 && !/^(@[^/]+\/)?[^/@]+\/[^/]+/.test(k))) {
    k = stripPeers(k, 6);
    const at = k.indexOf('@', k.startsWith('@') ? 1 : 0);
    if (at <= 0) return undefined;
    return { name: k.slice(0, at), version: k.slice(at + 1) };
  }
  // v5: /name/1.2.3_peer or /@scope/name/1.2.3
  const parts = k.split('/');
  const scoped = parts[0]?.startsWith('@') === true;
  const name = scoped ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? '');
  const version = parts.slice(scoped ? 2 : 1).join('/');
  if (!name || !version) return undefined;
  return { name, version: stripPeers(version, 5) };
}

function chooseDocument(docs: Document.Parsed[]): Document.Parsed {
  // pnpm 9 may prepend a document for its own toolchain (packageManagerDependencies); the project is the last one.
  const last = docs[docs.length - 1];
  if (!last) throw new FormatError('empty file');
  return last;
}

export function parsePnpmLock(text: string): PnpmLock {
  const docs = parseYamlDocuments(text);
  const doc = chooseDocument(docs);
  if (!lib().isMap(doc.contents)) throw new FormatError('top level is not a mapping');
  const root = doc.toJS() as Rec;
  const lv = root['lockfileVersion'];
  const major = Math.floor(Number(typeof lv === 'string' ? lv.replace(/^v/, '') : lv));
  if (!Number.isFinite(major) || major < 5 || major > 9) {
    throw new FormatError(`unsupported lockfileVersion ${JSON.stringify(lv)}`);
  }

  const offsets = new Map<string, Map<string, number>>();
  for (const section of ['packages', 'snapshots']) {
    const node = doc.contents.get(section, true);
    const m = new Map<string, number>();
    if (lib().isMap(node)) for (const p of node.items) if (lib().isScalar(p.key) && p.key.range) m.set(String(p.key.value), p.key.range[0]);
    offsets.set(section, m);
  }

  const dropped: string[] = [];
  const importers: PnpmImporter[] = [];
  const depIds = (deps: unknown): string[] => {
    if (!isRec(deps)) return [];
    const out: string[] = [];
    for (const [name, v] of Object.entries(deps)) {
      const raw = isRec(v) ? v['version'] : v;
      if (raw === undefined || raw === null) continue;
      const ver = String(raw);
      if (ver.startsWith('link:')) continue;
      // a version may also be a full key (`/other@1.0.0` or `other@1.0.0` for aliases)
      // (not a version with a peer suffix: `4.3.4(supports-color@8.1.1)` is debug 4.3.4, not a package "4.3.4(...")
      if (ver.startsWith('/') || (major >= 9 && /^(@[^/]+\/)?[^@/()]+@/.test(ver))) {
        const k = parseKey(ver, major);
        if (k) out.push(`${k.name}@${k.version}`);
        continue;
      }
      out.push(`${name}@${stripPeers(ver, major)}`);
    }
    return out;
  };
  const importerOf = (path: string, o: Rec): PnpmImporter => ({
    path,
    prod: [...depIds(o['dependencies']), ...depIds(o['optionalDependencies'])],
    dev: depIds(o['devDependencies']),
  });
  if (isRec(root['importers'])) {
    for (const [path, o] of Object.entries(root['importers'])) if (isRec(o)) importers.push(importerOf(path, o));
  } else {
    importers.push(importerOf('.', root));
  }

  const packages: PnpmPackage[] = [];
  const packagesSection = isRec(root['packages']) ? root['packages'] : {};
  const snapshots = isRec(root['snapshots']) ? root['snapshots'] : undefined;
  const keys = major >= 9 && snapshots ? Object.keys(snapshots) : Object.keys(packagesSection);
  const seen = new Set<string>();
  for (const key of keys) {
    const rawInfo = packagesSection[key];
    const parsed = parseKey(key, major);
    // Non-registry keys (`file:x`, `@codeload.github.com/...`) do not split; their entry names the package.
    const k = /^(file:|link:|@[^/]*\.[^/]*\/)/.test(key.replace(/^\//, '')) && isRec(rawInfo) && typeof rawInfo['name'] === 'string'
      ? { name: rawInfo['name'], version: key.replace(/^\//, '') }
      : parsed;
    if (!k) {
      dropped.push(`${key}: cannot tell name and version`);
      continue;
    }
    const baseKey = major >= 9 ? `${k.name}@${k.version}` : key;
    const info = isRec(packagesSection[baseKey]) ? (packagesSection[baseKey] as Rec) : isRec(rawInfo) ? rawInfo : {};
    const snap = major >= 9 && snapshots && isRec(snapshots[key]) ? (snapshots[key] as Rec) : info;
    let name = k.name;
    let version = k.version;
    let source = 'registry';
    const resolution = isRec(info['resolution']) ? info['resolution'] : {};
    const nonRegistry = typeof resolution['tarball'] === 'string' || typeof resolution['repo'] === 'string' || typeof resolution['directory'] === 'string';
    if ((typeof info['name'] === 'string' || nonRegistry) && info['version'] !== undefined && info['version'] !== null) {
      // non-registry entries carry the package's own version (tarballs, git, directories); v5/v6 also its name,
      // v9 names it in the key (`debug@https://github.com/debug-js/debug/tarball/4.3.5`)
      name = typeof info['name'] === 'string' ? info['name'] : k.name;
      version = String(info['version']);
      source = typeof resolution['tarball'] === 'string' ? (String(resolution['tarball']).startsWith('file:') ? 'file' : 'tarball')
        : typeof resolution['repo'] === 'string' ? 'git'
        : typeof resolution['directory'] === 'string' ? 'directory'
        : 'other';
    } else if (/^(file:|link:)/.test(k.version)) {
      source = k.version.startsWith('file:') ? 'file' : 'link';
    } else if (/^(https?:|git)/.test(k.version) || k.version.includes('/')) {
      source = 'tarball';
    }
    const id = `${k.name}@${k.version}`;
    const snapKey = `${id}|${key}`;
    if (seen.has(snapKey)) continue;
    seen.add(snapKey);
    const dev = info['dev'] === true ? true : info['dev'] === false ? false : undefined;
    packages.push({
      id,
      name,
      version,
      source,
      dev,
      dependencies: [...depIds(snap['dependencies']), ...depIds(snap['optionalDependencies'])],
      offset: offsets.get('packages')?.get(baseKey) ?? offsets.get('packages')?.get(key) ?? offsets.get('snapshots')?.get(key),
    });
  }
  return { lockfileVersion: major, packages, importers, dropped };
}
