/**
 * package-lock.json / npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.
 * Pure: text in, records out. v2/v3 read the flat `packages` map; v1 walks the nested `dependencies` tree.
 */
import { isExactSemver, nameFromNodeModulesPath, parseNpmAlias } from '../npm-common/names.js';
import { isObject, keyOffset, obj, parseJson, parseJsonObject, str } from '../../formats/json.js';
import type { JsonObject } from '../../formats/json.js';
import { FormatError } from '../../formats/error.js';

export interface NpmLockRecord {
  name: string;
  /** As written; `exact` says whether it is a registry version or something else (git URL, file:, tarball). */
  version: string;
  exact: boolean;
  /** Offset of the entry's key in the text. */
  offset: number | undefined;
  dev: boolean;
  optional: boolean;
  /** true/false when the lockfile says, undefined for v1 without the root's package.json. */
  direct: boolean | undefined;
  /** The lockfile's own package (`packages[""]`) or a workspace member's source folder (v2/v3). */
  relationship?: 'root' | 'workspace';
}

export interface NpmLock {
  lockfileVersion: number;
  records: NpmLockRecord[];
  /** Entries dropped as malformed, with the reason. */
  dropped: string[];
}

export function parseNpmLock(text: string, rootManifestDeps?: ReadonlySet<string>): NpmLock {
  const doc = parseJsonObject(text);
  const lv = doc['lockfileVersion'];
  const packages = obj(doc, 'packages');
  const version = typeof lv === 'number' ? lv : packages ? 2 : 1;
  if (lv !== undefined && !(lv === 1 || lv === 2 || lv === 3)) {
    throw new FormatError(`unsupported lockfileVersion ${JSON.stringify(lv)}`);
  }
  if (version >= 2) {
    if (!packages) throw new FormatError(`lockfileVersion ${version} without a "packages" object`);
    return { lockfileVersion: version, ...fromPackages(packages) };
  }
  const deps = obj(doc, 'dependencies') ?? {};
  return { lockfileVersion: 1, ...fromV1(deps, rootManifestDeps) };
}

function depNames(o: JsonObject): Set<string> {
  const out = new Set<string>();
  for (const k of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    const d = obj(o, k);
    if (d) for (const name of Object.keys(d)) out.add(name);
  }
  return out;
}

function fromPackages(packages: JsonObject): { records: NpmLockRecord[]; dropped: string[] } {
  const records: NpmLockRecord[] = [];
  const dropped: string[] = [];
  // One pass sorts the keys: installed packages (under node_modules/) from the project's own folders and links.
  // Object.entries over thousands of keys costs more than the rest of this function.
  const keys = Object.keys(packages);
  const installed: string[] = [];
  const folders: string[] = [];
  const links: string[] = [];
  for (const key of keys) {
    if (key.includes('node_modules/')) installed.push(key);
    else folders.push(key);
    const entry = packages[key];
    if (isObject(entry) && entry['link'] === true) links.push(key);
  }
  // Direct dependencies per owner directory: '' for the root, 'packages/foo' for a workspace.
  const directByOwner = new Map<string, Set<string>>();
  const root = obj(packages, '');
  directByOwner.set('', root ? depNames(root) : new Set());
  for (const key of folders) {
    const entry = packages[key];
    if (key !== '' && isObject(entry) && entry['link'] !== true) directByOwner.set(key, depNames(entry));
  }
  const allWorkspaceDirect = new Set<string>();
  for (const s of directByOwner.values()) for (const n of s) allWorkspaceDirect.add(n);

  // The project and its workspace members (a source folder that a node_modules link resolves to, named by the
  // link, as npm installs it), when they have a name and a registry-style version.
  const linkNames = new Map<string, string>();
  for (const key of links) {
    const resolved = str(packages[key] as JsonObject, 'resolved');
    const name = nameFromNodeModulesPath(key);
    if (resolved && name) linkNames.set(resolved, name);
  }
  for (const key of folders) {
    const entry = packages[key];
    if (!isObject(entry) || entry['link'] === true) continue;
    if (key !== '' && !linkNames.has(key)) continue; // a folder no link installs (a broken link): not a member
    const name = key === '' ? str(entry, 'name') : (linkNames.get(key) ?? str(entry, 'name'));
    const version = str(entry, 'version');
    if (!name || !version || !isExactSemver(version)) continue;
    records.push({ name, version, exact: true, offset: keyOffset(packages, key), dev: false, optional: false, direct: undefined, relationship: key === '' ? 'root' : 'workspace' });
  }

  for (const key of installed) {
    const entry = packages[key];
    if (!isObject(entry)) {
      dropped.push(`${key}: entry is not an object`);
      continue;
    }
    if (entry['link'] === true) continue; // symlink to a workspace; its deps are listed under the target
    const pathName = nameFromNodeModulesPath(key);
    const name = str(entry, 'name') ?? pathName;
    const version = str(entry, 'version');
    if (!name || !pathName) {
      dropped.push(`${key}: cannot tell the package name`);
      continue;
    }
    if (!version) {
      dropped.push(`${key}: no version`);
      continue;
    }
    let realName = name;
    let realVersion = version;
    const alias = parseNpmAlias(version);
    if (alias) {
      realName = alias.name;
      realVersion = alias.version;
    }
    const firstNm = key.indexOf('node_modules/');
    const owner = firstNm === 0 ? '' : key.slice(0, firstNm - 1);
    const nested = key.slice(firstNm + 'node_modules/'.length).includes('/node_modules/');
    const ownerDirect = directByOwner.get(owner);
    const direct =
      !nested && (owner === '' ? allWorkspaceDirect.has(pathName) : (ownerDirect?.has(pathName) ?? false));
    records.push({
      name: realName,
      version: realVersion,
      exact: isExactSemver(realVersion),
      offset: keyOffset(packages, key),
      dev: entry['dev'] === true || entry['devOptional'] === true,
      optional: entry['optional'] === true || entry['devOptional'] === true,
      direct,
    });
  }
  return { records, dropped };
}

function fromV1(
  deps: JsonObject,
  rootManifestDeps: ReadonlySet<string> | undefined,
): { records: NpmLockRecord[]; dropped: string[] } {
  const records: NpmLockRecord[] = [];
  const dropped: string[] = [];
  const walk = (level: JsonObject, depth: number, trail: string): void => {
    for (const [name, entry] of Object.entries(level)) {
      if (!isObject(entry)) {
        dropped.push(`${trail}${name}: entry is not an object`);
        continue;
      }
      const version = str(entry, 'version');
      if (!version) {
        dropped.push(`${trail}${name}: no version`);
      } else {
        const alias = parseNpmAlias(version);
        const realName = alias?.name ?? name;
        const realVersion = alias?.version ?? version;
        records.push({
          name: realName,
          version: realVersion,
          exact: isExactSemver(realVersion),
          offset: keyOffset(level, name),
          dev: entry['dev'] === true,
          optional: entry['optional'] === true,
          direct: rootManifestDeps ? depth === 0 && rootManifestDeps.has(name) : undefined,
        });
      }
      const nested = obj(entry, 'dependencies');
      if (nested) walk(nested, depth + 1, `${trail}${name} > `);
    }
  };
  walk(deps, 0, '');
  return { records, dropped };
}

/** Dependency names declared by a package.json text (for v1 direct flags); undefined if unreadable. */
export function manifestDependencyNames(text: string): Set<string> | undefined {
  try {
    const doc = parseJson(text);
    return isObject(doc) ? depNames(doc) : undefined;
  } catch {
    return undefined;
  }
}
