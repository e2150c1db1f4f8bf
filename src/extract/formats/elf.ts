/**
 * ELF headers read positionally: the section table (with names) and the program headers, never the file's
 * contents. For the extractors of executables (Go build info in `.go.buildinfo`, cargo-auditable's `.dep-v0`),
 * which then read only the section they need. 32/64-bit, either byte order.
 */
import type { RandomAccessFile } from '../types.js';
import { FormatError } from './error.js';

export interface ElfSection {
  name: string;
  type: number;
  /** Virtual address (sh_addr). */
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

export interface ElfHeaders {
  is64: boolean;
  littleEndian: boolean;
  /** Empty when the file has no section header table (e_shoff or e_shnum 0, as in packed executables). */
  sections: ElfSection[];
  /** Program headers; empty when there are none or they lie past the end of the file. */
  segments: ElfSegment[];
}

export const SHT_NOBITS = 8;
export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;

/** Section and program header tables larger than this are not an executable's. */
const MAX_TABLE_BYTES = 16 * 1024 * 1024;

export function isElfMagic(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

async function need(file: RandomAccessFile, offset: number, length: number, what: string): Promise<DataView> {
  if (offset < 0 || length < 0 || offset + length > file.size) throw new FormatError(`ELF ${what} points past the end of the file`);
  if (length > MAX_TABLE_BYTES) throw new FormatError(`ELF ${what} is ${length} bytes, more than an executable has`);
  const b = await file.read(offset, length);
  if (b.byteLength !== length) throw new FormatError(`ELF ${what} points past the end of the file`);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The headers of each file read so far: the extractors of one executable (Go, cargo-auditable) read them once. */
const headersOf = new WeakMap<RandomAccessFile, Promise<ElfHeaders>>();

/**
 * Reads the ELF header, the section header table with the section names, and the program headers. Throws
 * FormatError for a file that is not ELF, an unsupported class or byte order, or tables that do not fit the file.
 * Asked again about the same file object, it answers from the first reading.
 */
export function readElfHeaders(file: RandomAccessFile): Promise<ElfHeaders> {
  let headers = headersOf.get(file);
  if (!headers) {
    headers = readHeaders(file);
    headersOf.set(file, headers);
  }
  return headers;
}

async function readHeaders(file: RandomAccessFile): Promise<ElfHeaders> {
  // the identification and the header in one read: 64 bytes, or the 52 of a 32-bit header in a file that small
  const head = await file.read(0, 64);
  if (head.byteLength < 16 || !isElfMagic(head)) throw new FormatError('not an ELF file');
  const cls = head[4];
  if ((cls !== 1 && cls !== 2) || (head[5] !== 1 && head[5] !== 2)) throw new FormatError('unsupported ELF class or byte order');
  const is64 = cls === 2;
  const le = head[5] === 1;
  if (head.byteLength < (is64 ? 64 : 52)) throw new FormatError('ELF header points past the end of the file');
  const eh = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u16 = (dv: DataView, o: number) => dv.getUint16(o, le);
  const u32 = (dv: DataView, o: number) => dv.getUint32(o, le);
  const word = (dv: DataView, o: number) => (is64 ? Number(dv.getBigUint64(o, le)) : dv.getUint32(o, le));

  const segments: ElfSegment[] = [];
  const phoff = word(eh, is64 ? 0x20 : 0x1c);
  const phentsize = u16(eh, is64 ? 0x36 : 0x2a);
  const phnum = u16(eh, is64 ? 0x38 : 0x2c);
  if (phoff > 0 && phnum > 0 && phentsize >= (is64 ? 56 : 32) && phoff + phnum * phentsize <= file.size) {
    const ph = await need(file, phoff, phnum * phentsize, 'program header table');
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      segments.push(
        is64
          ? { type: u32(ph, o), flags: u32(ph, o + 4), offset: word(ph, o + 8), vaddr: word(ph, o + 16), filesz: word(ph, o + 32), memsz: word(ph, o + 40) }
          : { type: u32(ph, o), offset: u32(ph, o + 4), vaddr: u32(ph, o + 8), filesz: u32(ph, o + 16), memsz: u32(ph, o + 20), flags: u32(ph, o + 24) },
      );
    }
  }

  const shoff = word(eh, is64 ? 0x28 : 0x20);
  const shentsize = u16(eh, is64 ? 0x3a : 0x2e);
  const shnum = u16(eh, is64 ? 0x3c : 0x30);
  const shstrndx = u16(eh, is64 ? 0x3e : 0x32);
  if (shoff === 0 || shnum === 0) return { is64, littleEndian: le, sections: [], segments };
  if (shentsize < (is64 ? 64 : 40) || shstrndx >= shnum) throw new FormatError('malformed section header table');
  const sh = await need(file, shoff, shentsize * shnum, 'section header table');
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = i * shentsize;
    return {
      nameAt: u32(sh, o),
      type: u32(sh, o + 4),
      addr: word(sh, o + (is64 ? 0x10 : 0x0c)),
      offset: word(sh, o + (is64 ? 0x18 : 0x10)),
      size: word(sh, o + (is64 ? 0x20 : 0x14)),
    };
  });
  const strtab = raw[shstrndx]!;
  const namesView = await need(file, strtab.offset, strtab.size, 'section name table');
  const nameBytes = new Uint8Array(namesView.buffer, namesView.byteOffset, namesView.byteLength);
  const nameOf = (at: number): string => {
    if (at >= nameBytes.length) return '';
    const end = nameBytes.indexOf(0, at);
    // A name not terminated inside the table matches nothing.
    return end < 0 ? '' : Buffer.from(nameBytes.buffer, nameBytes.byteOffset + at, end - at).toString('latin1');
  };
  const sections = raw.map((s) => ({ name: nameOf(s.nameAt), type: s.type, addr: s.addr, offset: s.offset, size: s.size }));
  return { is64, littleEndian: le, sections, segments };
}

/** The contents of a section, at most `maxBytes` of it (SHT_NOBITS: empty). Throws FormatError when it lies past the end. */
export async function readElfSection(file: RandomAccessFile, s: ElfSection, maxBytes: number): Promise<Uint8Array> {
  if (s.type === SHT_NOBITS) return new Uint8Array(0);
  if (s.offset < 0 || s.size < 0 || s.offset + s.size > file.size) throw new FormatError('ELF section points past the end of the file');
  if (s.size > maxBytes) throw new FormatError(`ELF section ${s.name} is ${s.size} bytes, over the ${maxBytes}-byte limit`);
  const b = await file.read(s.offset, s.size);
  if (b.byteLength !== s.size) throw new FormatError('ELF section points past the end of the file');
  return b;
}
