import fs from 'node:fs';
import path from 'node:path';
import { describeError } from '../../core/errors.js';
import { ImageArchiveError } from './errors.js';
import { normalizeEntryPath } from './paths.js';

/** One member of an outer tar (an image archive): where its data sits, so it can be streamed by byte range. */
export interface TarMember {
  /** Normalized name (no leading `./` or `/`). */
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  /** Offset of the member's data in the archive file. */
  offset: number;
  size: number;
  linkname?: string;
}

export interface TarIndex {
  file: string;
  fileSize: number;
  members: Map<string, TarMember>;
}

const MAX_MEMBERS = 1_000_000;

function cstr(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end);
}

function parseNumeric(buf: Buffer, start: number, len: number): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    // base-256 (GNU): big-endian, first byte's high bit is the marker
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (buf[start + i] ?? 0);
    return v;
  }
  const s = cstr(buf, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) return NaN;
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = parseNumeric(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return sum === stored;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp === -1) break;
    const len = parseInt(data.toString('ascii', pos, sp), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/**
 * Reads the headers of a tar file once (one small read per member, data skipped) and records where each
 * member's data is. Handles ustar prefixes, GNU long names and PAX path/size records. Never reads member data
 * (except long-name / PAX records).
 */
export async function indexTar(file: string): Promise<TarIndex> {
  const fh = await fs.promises.open(file, 'r').catch((e: unknown) => {
    throw new ImageArchiveError(`${file}: cannot open: ${describeError(e)}`, { cause: e, subject: file });
  });
  try {
    const fileSize = (await fh.stat()).size;
    const members = new Map<string, TarMember>();
    const header = Buffer.alloc(512);
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Record<string, string> = {};
    let count = 0;
    const bad = (msg: string): ImageArchiveError =>
      new ImageArchiveError(`${file}: not a valid tar archive: ${msg}`, {
        subject: file,
        hint: 'the archive may be truncated or not a docker-archive / OCI archive',
      });
    const magic2 = Buffer.alloc(2);
    await fh.read(magic2, 0, 2, 0);
    if (magic2[0] === 0x1f && magic2[1] === 0x8b) {
      throw new ImageArchiveError(`${file}: a gzip-compressed archive; image archives are read uncompressed`, {
        subject: file,
        hint: `decompress it first (gunzip -k ${path.basename(file)})`,
      });
    }
    if (fileSize > 0 && fileSize < 1024) throw bad(`only ${fileSize} bytes`);
    while (pos + 512 <= fileSize) {
      const { bytesRead } = await fh.read(header, 0, 512, pos);
      if (bytesRead < 512) throw bad(`short read at offset ${pos}`);
      if (header.every((b) => b === 0)) break; // end-of-archive marker
      if (!checksumOk(header)) throw bad(`bad header checksum at offset ${pos}`);
      if (++count > MAX_MEMBERS) throw bad(`more than ${MAX_MEMBERS} members`);
      const typeflag = String.fromCharCode(header[156] ?? 0);
      let size = parseNumeric(header, 124, 12);
      if (!Number.isFinite(size) || size < 0) throw bad(`bad size field at offset ${pos}`);
      if (pax.size !== undefined) size = Number(pax.size);
      const dataStart = pos + 512;
      const next = dataStart + Math.ceil(size / 512) * 512;
      if (dataStart + size > fileSize) {
        throw new ImageArchiveError(`${file}: truncated: member at offset ${pos} needs ${size} bytes, the file ends first`, {
          subject: file,
          hint: 'the archive is incomplete; save or copy it again',
        });
      }
      const readData = async (): Promise<Buffer> => {
        if (size > 16 * 1024 * 1024) throw bad(`oversized metadata record at offset ${pos}`);
        const b = Buffer.alloc(size);
        await fh.read(b, 0, size, dataStart);
        return b;
      };
      if (typeflag === 'L') {
        longName = cstr(await readData(), 0, size);
        pos = next;
        continue;
      }
      if (typeflag === 'K') {
        longLink = cstr(await readData(), 0, size);
        pos = next;
        continue;
      }
      if (typeflag === 'x') {
        pax = parsePax(await readData());
        pos = next;
        continue;
      }
      if (typeflag === 'g') {
        pos = next;
        continue;
      }
      const magic = header.toString('ascii', 257, 262);
      let name = cstr(header, 0, 100);
      if (magic === 'ustar') {
        const prefix = cstr(header, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      name = pax.path ?? longName ?? name;
      const linkname = pax.linkpath ?? longLink ?? cstr(header, 157, 100);
      longName = longLink = undefined;
      pax = {};
      const type: TarMember['type'] =
        typeflag === '0' || typeflag === '\0' || typeflag === '7'
          ? 'file'
          : typeflag === '5'
            ? 'dir'
            : typeflag === '2'
              ? 'symlink'
              : typeflag === '1'
                ? 'hardlink'
                : 'other';
      const n = normalizeEntryPath(name);
      if (n.ok && n.path !== '') {
        const m: TarMember = { name: n.path, type, offset: dataStart, size: type === 'file' ? size : 0 };
        if (type === 'symlink' || type === 'hardlink') m.linkname = linkname;
        members.set(n.path, m);
      }
      pos = next;
    }
    return { file, fileSize, members };
  } finally {
    await fh.close();
  }
}

/** The regular-file member a name designates, following symlinks and hard links inside the archive. */
export function resolveMember(index: TarIndex, name: string): TarMember | undefined {
  let cur = normalizeEntryPath(name);
  for (let hops = 0; hops < 16 && cur.ok; hops++) {
    const m = index.members.get(cur.path);
    if (!m) return undefined;
    if (m.type === 'file') return m;
    if (m.type === 'symlink' && m.linkname !== undefined) {
      cur = normalizeEntryPath(m.linkname.startsWith('/') ? m.linkname : path.posix.join(path.posix.dirname(m.name), m.linkname));
    } else if (m.type === 'hardlink' && m.linkname !== undefined) {
      cur = normalizeEntryPath(m.linkname);
    } else return undefined;
  }
  return undefined;
}

/** Reads a (small) member fully. */
export async function readMember(index: TarIndex, m: TarMember, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  if (m.size > maxBytes) throw new ImageArchiveError(`${index.file}: ${m.name} is ${m.size} bytes, more than expected for metadata`, { subject: m.name });
  const fh = await fs.promises.open(index.file, 'r');
  try {
    const b = Buffer.alloc(m.size);
    const { bytesRead } = await fh.read(b, 0, m.size, m.offset);
    if (bytesRead !== m.size) throw new ImageArchiveError(`${index.file}: ${m.name} truncated`, { subject: m.name });
    return b;
  } finally {
    await fh.close();
  }
}
