import fs from 'node:fs';
import path from 'node:path';
import { REGISTRY_TARGET_PREFIXES, formatReference, tryParseReference } from '../registry/reference.js';

/**
 * What a scan target designates, decided without loading the image readers (a lockfile scan classifies its target
 * too): `open.ts` opens it.
 */
export type ImageTargetKind = 'docker-archive' | 'oci-dir' | 'oci-archive' | 'registry' | 'rootfs';

export interface ImageTarget {
  kind: ImageTargetKind;
  /** Archive file, layout dir or rootfs dir (absolute). */
  path?: string;
  /** Tag (or digest / RepoTag) inside an archive or layout. */
  tag?: string;
  /** Normalized registry reference (docker.io/library/alpine:latest). */
  reference?: string;
}


const PREFIXES: Record<string, ImageTargetKind> = {
  'docker-archive:': 'docker-archive',
  'oci-dir:': 'oci-dir',
  'oci:': 'oci-dir',
  'oci-archive:': 'oci-archive',
  ...Object.fromEntries(REGISTRY_TARGET_PREFIXES.map((p) => [p, 'registry'] as const)),
  'rootfs:': 'rootfs',
};

/**
 * Splits `path[:tag]` where the path itself may contain colons and the tag may too (`img.tar:example/app:2`): the
 * whole string when it exists, else the shortest existing prefix before a colon, else the first colon (skopeo).
 */
function splitPathTag(s: string): { path: string; tag?: string } {
  if (fs.existsSync(s)) return { path: s };
  const colons: number[] = [];
  for (let i = s.indexOf(':'); i !== -1; i = s.indexOf(':', i + 1)) if (i > 0 && i < s.length - 1) colons.push(i);
  const at = colons.find((i) => fs.existsSync(s.slice(0, i))) ?? colons[0];
  return at === undefined ? { path: s } : { path: s.slice(0, at), tag: s.slice(at + 1) };
}

/** Names of the first members of a tar, read synchronously header by header (data skipped). */
function tarMemberNames(file: string, max = 4096): Set<string> | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const h = Buffer.alloc(512);
    const names = new Set<string>();
    let pos = 0;
    let longName: string | undefined;
    for (let n = 0; n < max && pos + 512 <= size; n++) {
      if (fs.readSync(fd, h, 0, 512, pos) < 512) break;
      if (h.every((b) => b === 0)) break;
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
      const stored = parseInt(h.toString('ascii', 148, 156).replace(/\0.*$/s, '').trim() || 'x', 8);
      if (sum !== stored) return n === 0 ? undefined : names;
      const sizeStr = h.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim();
      const dataSize = (h[124] ?? 0) & 0x80 ? Infinity : parseInt(sizeStr || '0', 8);
      if (!Number.isFinite(dataSize)) return names;
      const type = String.fromCharCode(h[156] ?? 0);
      const cut = (b: Buffer, s: number, l: number): string => {
        const e = b.indexOf(0, s);
        return b.toString('utf8', s, e === -1 || e > s + l ? s + l : e);
      };
      if (type === 'L' && dataSize < 65536) {
        const b = Buffer.alloc(dataSize);
        fs.readSync(fd, b, 0, dataSize, pos + 512);
        longName = cut(b, 0, dataSize);
      } else if (type !== 'x' && type !== 'g' && type !== 'K') {
        let name = cut(h, 0, 100);
        if (h.toString('ascii', 257, 262) === 'ustar') {
          const prefix = cut(h, 345, 155);
          if (prefix) name = `${prefix}/${name}`;
        }
        names.add((longName ?? name).replace(/^(\.\/|\/)+/, ''));
        longName = undefined;
      }
      pos += 512 + Math.ceil(dataSize / 512) * 512;
    }
    return names;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * What a scan target designates. Prefixes: `docker-archive:<file>[:<tag>]`, `oci-dir:<dir>[:<tag>]` (alias `oci:`),
 * `oci-archive:<file>[:<tag>]`, `registry:<ref>` (alias `docker://`), `rootfs:<dir>`. A bare string is detected: a
 * dir with `oci-layout` → oci-dir; another dir → undefined (a source tree; see `looksLikeRootfs`); a tar file with
 * `manifest.json` → docker-archive, with `oci-layout` / `index.json` → oci-archive; another existing file →
 * undefined; else an image reference → registry, normalized the Docker way.
 */
export function parseImageTarget(target: string): ImageTarget | undefined {
  for (const [prefix, kind] of Object.entries(PREFIXES)) {
    if (!target.startsWith(prefix)) continue;
    const rest = target.slice(prefix.length);
    if (rest === '') return undefined;
    if (kind === 'registry') {
      const ref = tryParseReference(rest);
      return ref ? { kind, reference: formatReference(ref) } : undefined;
    }
    if (kind === 'rootfs') return { kind, path: path.resolve(rest) };
    const { path: p, tag } = splitPathTag(rest);
    const t: ImageTarget = { kind, path: path.resolve(p) };
    if (tag !== undefined) t.tag = tag;
    return t;
  }
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) {
    return fs.existsSync(path.join(target, 'oci-layout')) ? { kind: 'oci-dir', path: path.resolve(target) } : undefined;
  }
  if (st?.isFile()) {
    const names = tarMemberNames(target);
    if (!names) return undefined;
    if (names.has('manifest.json')) return { kind: 'docker-archive', path: path.resolve(target) };
    if (names.has('oci-layout') || names.has('index.json')) return { kind: 'oci-archive', path: path.resolve(target) };
    return undefined;
  }
  if (target.startsWith('.') || target.startsWith('/')) return undefined; // a path that does not exist
  const ref = tryParseReference(target);
  return ref ? { kind: 'registry', reference: formatReference(ref) } : undefined;
}

