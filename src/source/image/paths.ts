import path from 'node:path';

export type Normalized = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Normalizes a tar entry name to a relative path with no leading slash: strips `./` and leading `/`,
 * collapses `.` and empty segments, resolves `..` lexically. A name whose `..` climbs above the root is an
 * escape. The root itself normalizes to ''.
 */
export function normalizeEntryPath(name: string): Normalized {
  if (name.includes('\0')) return { ok: false, reason: 'NUL byte in path' };
  const absolute = name.startsWith('/');
  const parts: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) {
        return { ok: false, reason: absolute ? 'absolute path escapes the root' : 'path escapes the root (..)' };
      }
      parts.pop();
      continue;
    }
    parts.push(seg);
  }
  return { ok: true, path: parts.join('/') };
}

/**
 * Where a symlink at `entryPath` pointing at `target` lands, relative to the image root. Absolute targets are
 * resolved inside the image root (as the container sees them); a relative target climbing above the root is an
 * escape.
 */
export function resolveSymlinkTarget(entryPath: string, target: string): Normalized {
  if (target === '') return { ok: false, reason: 'empty symlink target' };
  if (target.startsWith('/')) {
    const n = normalizeEntryPath(target);
    return n.ok ? n : { ok: false, reason: `symlink target ${target} escapes the root` };
  }
  const joined = path.posix.join(path.posix.dirname(entryPath) || '.', target);
  const n = normalizeEntryPath(joined);
  return n.ok ? n : { ok: false, reason: `symlink target ${target} escapes the root` };
}

/**
 * Where a hard link names its target: an archive path. Absolute names (`/etc/shadow`) and names climbing above
 * the root are refused: real layers never carry them, and extracting them is the classic host-file attack.
 */
export function resolveHardlinkTarget(target: string): Normalized {
  if (target.startsWith('/')) return { ok: false, reason: `hard link to absolute path ${target}` };
  const n = normalizeEntryPath(target);
  if (!n.ok) return { ok: false, reason: `hard link target ${target} escapes the root` };
  if (n.path === '') return { ok: false, reason: 'hard link to the root' };
  return n;
}
