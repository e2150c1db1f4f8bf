/**
 * Module build information embedded in Go executables (ELF, Mach-O, PE), as `go version -m` prints it.
 *
 * The linker writes a 32-byte header starting with `\xff Go buildinf:` into the data segment:
 *   [14] pointer size, [15] flags (bit 0: big-endian, bit 1: strings inline).
 * Go ≥ 1.18 puts two varint-length-prefixed strings (toolchain version, module info) right after it.
 * Older toolchains put two pointers to Go string headers instead; those addresses are virtual, so we map
 * them to file offsets through the ELF program headers, Mach-O segments or PE sections.
 * The module info is wrapped in 16-byte sentinels and holds tab-separated `path`, `mod`, `dep`, `=>`
 * (replacement of the previous line) and `build` lines.
 *
 * Pure: reads through a RandomAccessFile (the core's positional reads, or bytes in memory), record out; only the
 * headers and the build-info region are read from an ELF file with a section table (see inspectGoBinary).
 */
import { FormatError } from '../../formats/error.js';
import { PF_W, PF_X, PT_LOAD, SHT_NOBITS, readElfHeaders } from '../../formats/elf.js';
import type { RandomAccessFile } from '../../types.js';
import { readBuffer, readExactly, searchFile } from '../../util/random-access.js';

export interface GoModuleRef {
  path: string;
  version: string;
  sum?: string;
  replace?: { path: string; version: string; sum?: string };
}

export interface GoBuildInfo {
  format: 'elf' | 'macho' | 'pe';
  /** As recorded, e.g. `go1.21.3` or `go1.22.0 X:boringcrypto`. */
  goVersion: string;
  /** Package path of the main package (`path` line). */
  path?: string;
  main?: GoModuleRef;
  deps: GoModuleRef[];
  settings: Record<string, string>;
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

/**
 * What `inspectGoBinary` finds anything by: build info needs the magic; "unreadable" needs it or a UPX mark (the
 * banner, `UPX!` or `UPX0`, all of which contain "UPX"). A file with none of these gives no info and no problem.
 */
export const GO_BINARY_NEEDLES: readonly string[] = [MAGIC.toString('latin1'), 'UPX'];

export function executableFormat(b: Uint8Array): 'elf' | 'macho' | 'pe' | undefined {
  if (b.length < 64) return undefined;
  if (b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) return 'elf';
  if (b[0] === 0x4d && b[1] === 0x5a) return 'pe';
  const m = ((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0);
  const magics = [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].map((x) => x | 0);
  if (magics.includes(m)) return 'macho';
  // fat (universal) Mach-O shares 0xcafebabe with Java classes; a fat header has a small arch count
  if (m === (0xcafebabe | 0) && (b[7] ?? 0) > 0 && (b[7] ?? 0) < 20 && b[4] === 0 && b[5] === 0 && b[6] === 0) return 'macho';
  return undefined;
}

/** Build info read from the header's region of the file: the `.go.buildinfo` section, or Go's fallback, the data segment's start. */
const DATA_WINDOW_BYTES = 64 * 1024;
/** A version or module-info string longer than this is not build info. */
const MAX_STRING_BYTES = 1 << 24;
/** Headers (program headers, PE sections, Mach-O load commands) are read from at most this much of the file's start. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
const UPX_BANNER = Buffer.from('This file is packed with the UPX executable packer', 'latin1');

export interface GoBinaryInspection {
  format: GoBuildInfo['format'];
  info?: GoBuildInfo;
  /** Why an executable without readable build info cannot be judged (packed, damaged); absent when it is simply not Go. */
  unreadable?: string;
}

const UPX_REASON = 'a UPX-packed executable: its contents, the Go build information included, are compressed and cannot be read; unpack it (upx -d) and scan the unpacked file';
const UNDECODABLE_REASON = 'the Go build information is present but cannot be decoded (a damaged or truncated executable)';

/** UPX's marks in an executable's first 4 KiB: its l_info magic after the ELF/Mach-O headers, PE sections UPX0/UPX1. */
function upxMarkInHead(head: Buffer): boolean {
  const h = head.subarray(0, 4096);
  return h.includes('UPX!', 0, 'latin1') || h.includes('UPX0\0', 0, 'latin1');
}

/**
 * Reads an executable's Go build info through positional reads, never holding the file: undefined when it is not
 * an executable; `info` when it has build info; `unreadable` when it is packed (UPX) or its build info does not decode.
 *
 * An ELF file with a section table is judged the way Go's debug/buildinfo does: the `.go.buildinfo` section, else the
 * first 64 KiB of the first writable, non-executable PT_LOAD segment; only its headers and that region are read.
 * Anything else (Mach-O, PE, an ELF without section table such as a packed one, damaged headers) is searched for
 * the build-info magic and UPX's banner one chunk at a time.
 */
export async function inspectGoBinary(file: RandomAccessFile): Promise<GoBinaryInspection | undefined> {
  if (file.size < 64) return undefined;
  const head = await readBuffer(file, 0, Math.min(file.size, HEAD_BYTES));
  const format = executableFormat(head);
  if (!format) return undefined;
  if (format === 'elf') {
    const region = await elfBuildInfoRegion(file);
    if (region !== undefined) {
      let sawMagic = false;
      const data = await readBuffer(file, region.offset, region.size);
      for (let at = data.indexOf(MAGIC); at >= 0; at = data.indexOf(MAGIC, at + 1)) {
        sawMagic = true;
        const info = await decodeAt(file, region.offset + at, format, head);
        if (info) return { format, info };
      }
      if (sawMagic) return { format, unreadable: UNDECODABLE_REASON };
      return upxMarkInHead(head) ? { format, unreadable: UPX_REASON } : { format };
    }
  }
  let found: GoBuildInfo | undefined;
  let sawMagic = false;
  let sawBanner = false;
  await searchFile(file, [MAGIC, UPX_BANNER], async (needle, at) => {
    if (needle === 1) {
      sawBanner = true;
      return false;
    }
    sawMagic = true;
    found = await decodeAt(file, at, format, head);
    return found !== undefined;
  });
  if (found) return { format, info: found };
  if (upxMarkInHead(head) || sawBanner) return { format, unreadable: UPX_REASON };
  if (sawMagic) return { format, unreadable: UNDECODABLE_REASON };
  return { format };
}

/** Where Go's debug/buildinfo looks in an ELF file with a section table; undefined without one (or with damaged headers). */
async function elfBuildInfoRegion(file: RandomAccessFile): Promise<{ offset: number; size: number } | undefined> {
  let elf;
  try {
    elf = await readElfHeaders(file);
  } catch (e) {
    if (e instanceof FormatError) return undefined;
    throw e;
  }
  if (elf.sections.length === 0) return undefined;
  const clamp = (offset: number, size: number) => ({ offset, size: Math.max(0, Math.min(size, file.size - offset)) });
  const section = elf.sections.find((s) => s.name === '.go.buildinfo');
  if (section) return section.type === SHT_NOBITS ? { offset: 0, size: 0 } : clamp(section.offset, Math.min(section.size, MAX_STRING_BYTES));
  const data = elf.segments.find((p) => p.type === PT_LOAD && (p.flags & (PF_X | PF_W)) === PF_W);
  if (!data || data.offset >= file.size) return { offset: 0, size: 0 };
  return clamp(data.offset, Math.min(data.filesz, DATA_WINDOW_BYTES));
}

/** Build info (or undefined) of the executable in memory. */
export async function readGoBuildInfo(file: RandomAccessFile): Promise<GoBuildInfo | undefined> {
  return (await inspectGoBinary(file))?.info;
}

/** What packed an executable, when a packer's marks are present: its sections are compressed, build info included. */
export async function packerOf(file: RandomAccessFile): Promise<'UPX' | undefined> {
  const r = await inspectGoBinary(file);
  return r?.unreadable === UPX_REASON ? 'UPX' : undefined;
}

/**
 * Why an executable that yielded no build info cannot be judged, or undefined when it is simply not a Go
 * binary: packed by UPX (build info compressed), or carrying the build-info magic in a form that does not decode.
 */
export async function unreadableReason(file: RandomAccessFile): Promise<string | undefined> {
  const r = await inspectGoBinary(file);
  return r?.info ? undefined : r?.unreadable;
}

/** Decodes the build-info header at `at`, reading the strings it points to (inline, or through virtual addresses). */
async function decodeAt(file: RandomAccessFile, at: number, format: GoBuildInfo['format'], head: Buffer): Promise<GoBuildInfo | undefined> {
  const hdr = await readExactly(file, at, 32);
  if (!hdr) return undefined;
  const ptrSize = hdr[14] ?? 0;
  const flags = hdr[15] ?? 0;
  let goVersion: string | undefined;
  let modinfo: string | undefined;
  if ((flags & 2) !== 0) {
    const v = await readVarString(file, at + 32);
    if (!v) return undefined;
    goVersion = v.value;
    const m = await readVarString(file, v.next);
    if (!m) return undefined;
    modinfo = m.value;
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) return undefined;
    const big = (flags & 1) !== 0;
    const readPtr = async (off: number): Promise<number | undefined> => {
      const b = await readExactly(file, off, ptrSize);
      if (!b) return undefined;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (ptrSize === 4) return dv.getUint32(0, !big);
      const v = dv.getBigUint64(0, !big);
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
    };
    const toOffset = addressMapper(await headerBytes(file, head, format), format);
    if (!toOffset) return undefined;
    const readGoString = async (addr: number | undefined): Promise<string | undefined> => {
      if (addr === undefined) return undefined;
      const strHdr = toOffset(addr);
      if (strHdr === undefined) return undefined;
      const dataAddr = await readPtr(strHdr);
      const len = await readPtr(strHdr + ptrSize);
      if (dataAddr === undefined || len === undefined || len > MAX_STRING_BYTES) return undefined;
      if (len === 0) return '';
      const data = toOffset(dataAddr);
      if (data === undefined) return undefined;
      const bytes = await readExactly(file, data, len);
      return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    };
    goVersion = await readGoString(await readPtr(at + 16));
    modinfo = await readGoString(await readPtr(at + 16 + ptrSize));
  }
  if (goVersion === undefined || !goVersion.startsWith('go') && !goVersion.startsWith('devel')) return undefined;
  return { format, goVersion, ...parseModInfo(modinfo ?? '') };
}

/** The start of the file up to the end of its program headers / section table / load commands (the address map's input). */
async function headerBytes(file: RandomAccessFile, head: Buffer, format: GoBuildInfo['format']): Promise<Buffer> {
  let end = head.length;
  try {
    if (format === 'elf') {
      const is64 = head[4] === 2;
      const big = head[5] === 2;
      const u16 = (o: number) => (big ? head.readUInt16BE(o) : head.readUInt16LE(o));
      const phoff = is64 ? Number(big ? head.readBigUInt64BE(0x20) : head.readBigUInt64LE(0x20)) : big ? head.readUInt32BE(0x1c) : head.readUInt32LE(0x1c);
      end = phoff + u16(is64 ? 0x36 : 0x2a) * u16(is64 ? 0x38 : 0x2c);
    } else if (format === 'pe') {
      const pe = head.readUInt32LE(0x3c);
      end = pe + 24 + head.readUInt16LE(pe + 20) + head.readUInt16LE(pe + 6) * 40;
    } else if (head.readUInt32BE(0) !== 0xcafebabe) {
      const big = head.readUInt32BE(0) === 0xfeedface || head.readUInt32BE(0) === 0xfeedfacf;
      end = 32 + (big ? head.readUInt32BE(20) : head.readUInt32LE(20));
    }
  } catch {
    return head; // headers past the start read: the address map finds them truncated
  }
  if (end <= head.length) return head;
  return await readBuffer(file, 0, Math.min(end, file.size, MAX_HEADER_BYTES));
}

async function readVarString(file: RandomAccessFile, p: number): Promise<{ value: string; next: number } | undefined> {
  const b = await file.read(p, 10);
  let len = 0;
  let shift = 0;
  let i = 0;
  while (true) {
    if (i >= b.length || shift > 28) return undefined;
    const byte = b[i++] ?? 0;
    len |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  if (len < 0 || len > MAX_STRING_BYTES) return undefined;
  const bytes = await readExactly(file, p + i, len);
  if (!bytes) return undefined;
  return { value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), next: p + i + len };
}

/** Parses the module info text (with or without its 16-byte sentinels). */
export function parseModInfo(raw: string): Pick<GoBuildInfo, 'path' | 'main' | 'deps' | 'settings'> {
  let s = raw;
  if (s.length >= 33 && s[s.length - 17] === '\n') s = s.slice(16, -16);
  const out: Pick<GoBuildInfo, 'path' | 'main' | 'deps' | 'settings'> = { deps: [], settings: {} };
  let last: GoModuleRef | undefined;
  for (const line of s.split('\n')) {
    const f = line.split('\t');
    const ref = (): GoModuleRef | undefined =>
      f[1] ? { path: f[1], version: f[2] ?? '', ...(f[3] ? { sum: f[3] } : {}) } : undefined;
    switch (f[0]) {
      case 'path':
        out.path = f[1];
        break;
      case 'mod':
        last = ref();
        if (last) out.main = last;
        break;
      case 'dep':
        last = ref();
        if (last) out.deps.push(last);
        break;
      case '=>': {
        const r = ref();
        if (last && r) last.replace = { path: r.path, version: r.version, ...(r.sum ? { sum: r.sum } : {}) };
        break;
      }
      case 'build': {
        const kv = f[1] ?? '';
        const eq = kv.indexOf('=');
        if (eq > 0) out.settings[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Virtual address → file offset for the given executable format. */
function addressMapper(buf: Buffer, format: GoBuildInfo['format']): ((va: number) => number | undefined) | undefined {
  const ranges: { va: number; size: number; off: number }[] = [];
  try {
    if (format === 'elf') {
      const is64 = buf[4] === 2;
      const big = buf[5] === 2;
      const u16 = (o: number) => (big ? buf.readUInt16BE(o) : buf.readUInt16LE(o));
      const u32 = (o: number) => (big ? buf.readUInt32BE(o) : buf.readUInt32LE(o));
      const u64 = (o: number) => Number(big ? buf.readBigUInt64BE(o) : buf.readBigUInt64LE(o));
      const phoff = is64 ? u64(0x20) : u32(0x1c);
      const phentsize = u16(is64 ? 0x36 : 0x2a);
      const phnum = u16(is64 ? 0x38 : 0x2c);
      for (let i = 0; i < phnum; i++) {
        const ph = phoff + i * phentsize;
        if (u32(ph) !== 1) continue; // PT_LOAD
        if (is64) ranges.push({ off: u64(ph + 8), va: u64(ph + 16), size: u64(ph + 32) });
        else ranges.push({ off: u32(ph + 4), va: u32(ph + 8), size: u32(ph + 16) });
      }
    } else if (format === 'pe') {
      const pe = buf.readUInt32LE(0x3c);
      if (buf.toString('latin1', pe, pe + 4) !== 'PE\0\0') return undefined;
      const coff = pe + 4;
      const nsect = buf.readUInt16LE(coff + 2);
      const optSize = buf.readUInt16LE(coff + 16);
      const opt = coff + 20;
      const magic = buf.readUInt16LE(opt);
      const imageBase = magic === 0x20b ? Number(buf.readBigUInt64LE(opt + 24)) : buf.readUInt32LE(opt + 28);
      const sect = opt + optSize;
      for (let i = 0; i < nsect; i++) {
        const s = sect + i * 40;
        ranges.push({ va: imageBase + buf.readUInt32LE(s + 12), size: buf.readUInt32LE(s + 16), off: buf.readUInt32LE(s + 20) });
      }
    } else {
      const m = buf.readUInt32BE(0);
      if (m === 0xcafebabe) return undefined; // fat binary: pointer-based info not supported
      const big = m === 0xfeedface || m === 0xfeedfacf;
      const is64 = m === 0xfeedfacf || m === 0xcffaedfe;
      const u32 = (o: number) => (big ? buf.readUInt32BE(o) : buf.readUInt32LE(o));
      const u64 = (o: number) => Number(big ? buf.readBigUInt64BE(o) : buf.readBigUInt64LE(o));
      const ncmds = u32(16);
      let p = is64 ? 32 : 28;
      for (let i = 0; i < ncmds; i++) {
        const cmd = u32(p);
        const size = u32(p + 4);
        if (cmd === 0x19) ranges.push({ va: u64(p + 24), size: u64(p + 48), off: u64(p + 40) });
        else if (cmd === 0x1) ranges.push({ va: u32(p + 24), size: u32(p + 36), off: u32(p + 32) });
        if (size <= 0) break;
        p += size;
      }
    }
  } catch {
    return undefined; // truncated headers
  }
  return (va: number) => {
    for (const r of ranges) if (va >= r.va && va < r.va + r.size) return r.off + (va - r.va);
    return undefined;
  };
}
