/**
 * bun.lock (text lockfile, JSONC: comments and trailing commas allowed). Pure: text in, records out.
 *
 * `packages` maps an install path (`name`, or `parent/name` for a nested copy) to a tuple whose first
 * element is the resolution `name@version` (or `name@workspace:path`, `name@github:...`, `name@file:...`),
 * and, for registry packages, a metadata object with the package's dependencies.
 */
import { isObject, keyOffset, parseJsonObject } from '../../formats/json.js';
import type { JsonObject } from '../../formats/json.js';
import { FormatError } from '../../formats/error.js';

export interface BunPackage {
  key: string;
  name: string;
  /** As written after the `@`; a registry version or a protocol spec. */
  version: string;
  /** 'npm' for registry versions, else the protocol ('workspace', 'link', 'file', 'github', 'git', 'url', 'root'). */
  protocol: string;
  dependencies: string[];
  offset: number | undefined;
}

export interface BunWorkspace {
  path: string;
  name?: string;
  version?: string;
  prod: string[];
  dev: string[];
}

function names(o: JsonObject, keys: string[]): string[] {
  return keys.flatMap((k) => (isObject(o[k]) ? Object.keys(o[k]) : []));
}

export function parseBunLock(text: string): { lockfileVersion: number; packages: BunPackage[]; workspaces: BunWorkspace[]; dropped: string[] } {
  const doc = parseJsonObject(text, { jsonc: true });
  const lv = doc['lockfileVersion'];
  if (lv !== 0 && lv !== 1) throw new FormatError(`unsupported lockfileVersion ${JSON.stringify(lv)}`);
  const workspaces: BunWorkspace[] = [];
  if (isObject(doc['workspaces'])) {
    for (const [path, ws] of Object.entries(doc['workspaces'])) {
      if (!isObject(ws)) continue;
      workspaces.push({
        path,
        ...(typeof ws['name'] === 'string' ? { name: ws['name'] } : {}),
        ...(typeof ws['version'] === 'string' ? { version: ws['version'] } : {}),
        prod: names(ws, ['dependencies', 'optionalDependencies', 'peerDependencies']),
        dev: names(ws, ['devDependencies']),
      });
    }
  }
  const packages: BunPackage[] = [];
  const dropped: string[] = [];
  const pk = isObject(doc['packages']) ? doc['packages'] : {};
  for (const [key, v] of Object.entries(pk)) {
    const spec = Array.isArray(v) ? v[0] : undefined;
    if (typeof spec !== 'string') {
      dropped.push(`${key}: entry is not a [resolution, ...] tuple`);
      continue;
    }
    const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
    if (at <= 0) {
      dropped.push(`${key}: cannot tell name and version from ${JSON.stringify(spec)}`);
      continue;
    }
    const name = spec.slice(0, at);
    const version = spec.slice(at + 1);
    const pm = /^([a-z+]+):/.exec(version);
    const protocol = pm ? (pm[1] === 'git+https' || pm[1] === 'git+ssh' ? 'git' : pm[1] === 'https' || pm[1] === 'http' ? 'url' : (pm[1] ?? 'npm')) : 'npm';
    const meta = (Array.isArray(v) ? v : []).find((x) => isObject(x));
    const dependencies = isObject(meta) ? names(meta, ['dependencies', 'optionalDependencies', 'peerDependencies']) : [];
    packages.push({ key, name, version, protocol, dependencies, offset: keyOffset(pk, key) });
  }
  return { lockfileVersion: lv, packages, workspaces, dropped };
}

/** Package names along an install path: `a/@s/b/c` → ['a', '@s/b', 'c']. */
export function keySegments(key: string): string[] {
  const parts = key.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? '';
    if (p.startsWith('@') && i + 1 < parts.length) {
      out.push(`${p}/${parts[i + 1] ?? ''}`);
      i++;
    } else out.push(p);
  }
  return out;
}
