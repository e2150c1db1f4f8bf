/**
 * Rust binaries built with cargo-auditable → records. Pure.
 *
 * The dependency list is embedded in the ELF section `.dep-v0` as zlib-compressed JSON:
 * `{ "packages": [{ "name", "version", "source": "crates.io"|"git"|"local"|"registry"|..., "kind": "runtime"|"build",
 *    "dependencies": [indices], "root": true? }] }`. The ELF section table is read positionally
 * (extract/formats/elf.ts), then only that section, inflated with node:zlib (loaded on the first such section: a
 * lockfile scan has no use for it).
 */
import type * as Zlib from 'node:zlib';
import type * as Zod from 'zod';
import { lazyRequire, once } from '../../../util/lazy.js';
import { FormatError } from '../../formats/error.js';
import { checkJsonNesting } from '../../formats/json.js';
import { isElfMagic, readElfHeaders, readElfSection } from '../../formats/elf.js';
import type { RandomAccessFile } from '../../types.js';

const zlib = lazyRequire<typeof Zlib>('node:zlib');

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
  return b.length >= 52 && isElfMagic(b);
}

/**
 * Bytes of a named section of an ELF file, or undefined when it has no such section. Reads the headers and that
 * section only (the compressed audit data is never larger than what it inflates to).
 */
export async function elfSection(file: RandomAccessFile, wanted: string): Promise<Uint8Array | undefined> {
  const elf = await readElfHeaders(file);
  const s = elf.sections.find((x) => x.name === wanted);
  return s === undefined ? undefined : readElfSection(file, s, MAX_INFLATED_BYTES);
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
    json = zlib().inflateSync(section, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
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
