import path from 'node:path';

export type Normalized = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Normalizes a tar entry name to a relative path with no leading slash: strips `./` and leading `/`,
 * collapses `.` and empty segments, resolves `..` lexically. A name whose `..` climbs above the root is an
 * escape. The root itself normalizes to ''.
 */
export function normalizeEntryPath(name: string): Normalized {
  // Most names are already normal (`usr/bin/x`, or `./usr/bin/x`, `usr/share/` for dirs): checked in one scan.
  const start = name.startsWith('./') ? 2 : 0;
  const end = name.length > start + 1 && name.endsWith('/') ? name.length - 1 : name.length;
  if (isPlain(name, start, end)) return { ok: true, path: start === 0 && end === name.length ? name : name.slice(start, end) };
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

/** name[start, end) is non-empty, with no NUL, no empty, `.` or `..` segment, and no leading or trailing slash. */
function isPlain(name: string, start: number, end: number): boolean {
  if (end <= start) return false;
  let seg = start;
  for (let i = start; i <= end; i++) {
    const c = i === end ? 0x2f : name.charCodeAt(i);
    if (c === 0) return false;
    if (c !== 0x2f) continue;
    const len = i - seg;
    if (len === 0) return false;
    if (name.charCodeAt(seg) === 0x2e && (len === 1 || (len === 2 && name.charCodeAt(seg + 1) === 0x2e))) return false;
    seg = i + 1;
  }
  return true;
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
