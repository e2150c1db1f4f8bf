/**
 * Rust binaries built with cargo-auditable → records. Pure.
 *
 * The dependency list is embedded in the ELF section `.dep-v0` as zlib-compressed JSON:
 * `{ "packages": [{ "name", "version", "source": "crates.io"|"git"|"local"|"registry"|..., "kind": "runtime"|"build",
 *    "dependencies": [indices], "root": true? }] }`. We read the ELF section table ourselves (32/64-bit,
 * either byte order) and inflate with node:zlib.
 */
import { inflateSync } from 'node:zlib';
import type * as Zod from 'zod';
import { lazyRequire, once } from '../../../util/lazy.js';
import { FormatError } from '../../formats/error.js';
import { checkJsonNesting } from '../../formats/json.js';

const zod = lazyRequire<typeof Zod>('zod');

export const SECTION = '.dep-v0';
/** Inflated JSON larger than this is not a dependency list. */
export const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

export interface AuditPackage {
  name: string;
  version: string;
  source: string;
  kind: string;
  root: boolean;
  dependencies: number[];
}

export function isElf(b: Uint8Array): boolean {
  return b.length >= 52 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/** Bytes of a named section of an ELF file, or undefined when it has no such section. */
export function elfSection(b: Uint8Array, wanted: string): Uint8Array | undefined {
  if (!isElf(b)) throw new FormatError('not an ELF file');
  const cls = b[4];
  const le = b[5] === 1;
  if ((cls !== 1 && cls !== 2) || (b[5] !== 1 && b[5] !== 2)) throw new FormatError('unsupported ELF class or byte order');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const is64 = cls === 2;
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const word = (o: number) => (is64 ? Number(dv.getBigUint64(o, le)) : u32(o));
  const need = (o: number, n: number) => {
    if (o < 0 || n < 0 || o + n > b.length) throw new FormatError('ELF header points past the end of the file');
  };
  need(0, is64 ? 64 : 52);
  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const shstrndx = u16(is64 ? 0x3e : 0x32);
  if (shoff === 0 || shnum === 0) return undefined;
  if (shentsize < (is64 ? 64 : 40) || shstrndx >= shnum) throw new FormatError('malformed section header table');
  need(shoff, shentsize * shnum);
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      name: u32(o),
      type: u32(o + 4),
      offset: word(o + (is64 ? 0x18 : 0x10)),
      size: word(o + (is64 ? 0x20 : 0x14)),
    };
  };
  const strtab = section(shstrndx);
  need(strtab.offset, strtab.size);
  const names = b.subarray(strtab.offset, strtab.offset + strtab.size);
  const target = new TextEncoder().encode(wanted);
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (!matchesAt(names, s.name, target)) continue;
    if (s.type === 8 /* SHT_NOBITS */) return new Uint8Array(0);
    need(s.offset, s.size);
    return b.subarray(s.offset, s.offset + s.size);
  }
  return undefined;
}

function matchesAt(names: Uint8Array, at: number, target: Uint8Array): boolean {
  if (at + target.length >= names.length) return false;
  for (let i = 0; i < target.length; i++) if (names[at + i] !== target[i]) return false;
  return names[at + target.length] === 0;
}

const pkgSchema = once(() => {
  const { z } = zod();
  return z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  source: z.string().default('crates.io'),
  kind: z.string().default('runtime'),
  root: z.boolean().default(false),
  dependencies: z.array(z.number().int().nonnegative()).default([]),
});
});

export function decodeAuditData(section: Uint8Array): { packages: AuditPackage[]; dropped: string[] } {
  let json: string;
  try {
    json = inflateSync(section, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
  } catch (e) {
    throw new FormatError(`${SECTION} is not valid zlib data: ${e instanceof Error ? e.message : String(e)}`);
  }
  checkJsonNesting(json);
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new FormatError(`${SECTION} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const list = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['packages'] : undefined;
  if (!Array.isArray(list)) throw new FormatError(`${SECTION} has no "packages" array`);
  const packages: AuditPackage[] = [];
  const dropped: string[] = [];
  list.forEach((raw: unknown, i) => {
    const r = pkgSchema().safeParse(raw);
    if (r.success) packages.push(r.data);
    else dropped.push(`packages[${i}]: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
  });
  return { packages, dropped };
}
