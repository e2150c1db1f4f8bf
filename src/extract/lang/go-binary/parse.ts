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
 * Pure: bytes in, record out; undefined when the bytes are not an executable or carry no build info.
 */
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

export function readGoBuildInfo(bytes: Uint8Array): GoBuildInfo | undefined {
  const format = executableFormat(bytes);
  if (!format) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = buf.indexOf(MAGIC);
  while (at >= 0) {
    const info = decodeAt(buf, at, format);
    if (info) return info;
    at = buf.indexOf(MAGIC, at + 1);
  }
  return undefined;
}

/** What packed an executable, when a packer's marks are present: its sections are compressed, build info included. */
export function packerOf(bytes: Uint8Array): 'UPX' | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = buf.subarray(0, 4096);
  // UPX writes its l_info header ("UPX!") right after the ELF/Mach-O headers, names PE sections UPX0/UPX1,
  // and leaves its banner in the decompression stub.
  if (head.includes('UPX!', 0, 'latin1') || head.includes('UPX0\0', 0, 'latin1')) return 'UPX';
  if (buf.includes('This file is packed with the UPX executable packer', 0, 'latin1')) return 'UPX';
  return undefined;
}

/**
 * Why an executable that yielded no build info cannot be judged, or undefined when it is simply not a Go
 * binary: packed by UPX (build info compressed), or carrying the build-info magic in a form that does not decode.
 */
export function unreadableReason(bytes: Uint8Array): string | undefined {
  const format = executableFormat(bytes);
  if (!format) return undefined;
  if (packerOf(bytes) === 'UPX') {
    return 'a UPX-packed executable: its contents, the Go build information included, are compressed and cannot be read; unpack it (upx -d) and scan the unpacked file';
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.includes(MAGIC)) return 'the Go build information is present but cannot be decoded (a damaged or truncated executable)';
  return undefined;
}

function decodeAt(buf: Buffer, at: number, format: GoBuildInfo['format']): GoBuildInfo | undefined {
  if (at + 32 > buf.length) return undefined;
  const ptrSize = buf[at + 14] ?? 0;
  const flags = buf[at + 15] ?? 0;
  let goVersion: string | undefined;
  let modinfo: string | undefined;
  if ((flags & 2) !== 0) {
    let p = at + 32;
    const v = readVarString(buf, p);
    if (!v) return undefined;
    goVersion = v.value;
    p = v.next;
    const m = readVarString(buf, p);
    if (!m) return undefined;
    modinfo = m.value;
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) return undefined;
    const big = (flags & 1) !== 0;
    const readPtr = (off: number): number | undefined => {
      if (off < 0 || off + ptrSize > buf.length) return undefined;
      if (ptrSize === 4) return big ? buf.readUInt32BE(off) : buf.readUInt32LE(off);
      const v = big ? buf.readBigUInt64BE(off) : buf.readBigUInt64LE(off);
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
    };
    const toOffset = addressMapper(buf, format);
    if (!toOffset) return undefined;
    const readGoString = (addr: number | undefined): string | undefined => {
      if (addr === undefined) return undefined;
      const hdr = toOffset(addr);
      if (hdr === undefined) return undefined;
      const dataAddr = readPtr(hdr);
      const len = readPtr(hdr + ptrSize);
      if (dataAddr === undefined || len === undefined || len > 1 << 24) return undefined;
      if (len === 0) return '';
      const data = toOffset(dataAddr);
      if (data === undefined || data + len > buf.length) return undefined;
      return buf.toString('utf8', data, data + len);
    };
    goVersion = readGoString(readPtr(at + 16));
    modinfo = readGoString(readPtr(at + 16 + ptrSize));
  }
  if (goVersion === undefined || !goVersion.startsWith('go') && !goVersion.startsWith('devel')) return undefined;
  return { format, goVersion, ...parseModInfo(modinfo ?? '') };
}

function readVarString(buf: Buffer, p: number): { value: string; next: number } | undefined {
  let len = 0;
  let shift = 0;
  let i = p;
  while (true) {
    if (i >= buf.length || shift > 28) return undefined;
    const byte = buf[i++] ?? 0;
    len |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  if (len < 0 || i + len > buf.length) return undefined;
  return { value: buf.toString('utf8', i, i + len), next: i + len };
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
