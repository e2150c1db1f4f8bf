/**
 * Reader for rpm's legacy Berkeley DB `Packages` file (a BDB hash database), enough to pull out
 * every stored value. Values (rpm headers) are large, so they live on chains of overflow pages
 * referenced from the hash pages by H_OFFPAGE items. Layouts follow libdb's dbinc/db_page.h.
 *
 *   generic page header (26 bytes): lsn[8] pgno u32 prev_pgno u32 next_pgno u32 entries u16
 *                                   hf_offset u16 level u8 type u8
 *   hash meta page (page 0):        magic u32 @12, pagesize u32 @20, encrypt_alg u8 @24,
 *                                   type u8 @25, last_pgno u32 @32
 *   H_OFFPAGE item (12 bytes):      type u8 (=3), unused[3], pgno u32, tlen u32
 *   overflow page:                  hf_offset = bytes of data on this page, next_pgno = chain
 * Byte order is the writer's; a magic that only matches byte-swapped means a big-endian file.
 */
import type { RecordProblem } from '../common.js';
import { type RpmBlob, type RpmBlobs } from './blobs.js';
import { FormatError } from '../../formats/error.js';

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_OFFPAGE = 3;
const VALID_PAGE_SIZES = new Set([512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]);

export function isBerkeleyDb(data: Uint8Array): boolean {
  if (data.length < 36) return false;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return v.getUint32(12, true) === HASH_MAGIC || v.getUint32(12, false) === HASH_MAGIC;
}

export function readBerkeleyDb(data: Uint8Array): RpmBlobs {
  if (data.length < 512) throw new FormatError(`Berkeley DB file too short (${data.length} bytes)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let le: boolean;
  if (view.getUint32(12, true) === HASH_MAGIC) le = true;
  else if (view.getUint32(12, false) === HASH_MAGIC) le = false;
  else throw new FormatError('not a Berkeley DB hash database (bad magic)');
  const u32 = (at: number): number => view.getUint32(at, le);
  const u16 = (at: number): number => view.getUint16(at, le);

  const pageSize = u32(20);
  if (!VALID_PAGE_SIZES.has(pageSize)) throw new FormatError(`Berkeley DB: invalid page size ${pageSize}`);
  if (data[24] !== 0) throw new FormatError('Berkeley DB: encrypted databases are not supported');
  if (data[25] !== P_HASHMETA) throw new FormatError(`Berkeley DB: page 0 has type ${data[25]}, expected hash metadata`);
  const lastPage = u32(32);
  const problems: RecordProblem[] = [];
  const pagesPresent = Math.floor(data.length / pageSize);
  if (lastPage + 1 > pagesPresent) {
    problems.push({
      message: `file truncated: metadata says ${lastPage + 1} pages of ${pageSize} bytes, file holds ${pagesPresent} (${data.length} bytes); packages on missing pages are lost`,
    });
  }
  const lastReadable = Math.min(lastPage, pagesPresent - 1);

  const blobs: RpmBlob[] = [];
  for (let pgno = 1; pgno <= lastReadable; pgno++) {
    const page = pgno * pageSize;
    const type = data[page + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(page + 20);
    if (PAGE_HEADER + entries * 2 > pageSize) {
      problems.push({ message: `hash page ${pgno}: ${entries} entries do not fit the page` });
      continue;
    }
    // Items come in key/value pairs; the value is the odd one.
    for (let i = 1; i < entries; i += 2) {
      const itemOffset = u16(page + PAGE_HEADER + i * 2);
      if (itemOffset < PAGE_HEADER || itemOffset >= pageSize) {
        problems.push({ message: `hash page ${pgno}: item ${i} offset ${itemOffset} outside the page` });
        continue;
      }
      const item = page + itemOffset;
      if (data[item] !== H_OFFPAGE) continue; // small inline values are not package headers
      if (itemOffset + 12 > pageSize) {
        problems.push({ message: `hash page ${pgno}: off-page item ${i} runs past the page end` });
        continue;
      }
      const first = u32(item + 4);
      const total = u32(item + 8);
      const r = readOverflowChain(data, first, total, pageSize, lastReadable, u32, u16);
      if (typeof r === 'string') problems.push({ message: `value on page ${first}: ${r}` });
      else blobs.push({ id: first, blob: r });
    }
  }
  return { blobs, problems };
}

function readOverflowChain(
  data: Uint8Array,
  first: number,
  total: number,
  pageSize: number,
  lastReadable: number,
  u32: (at: number) => number,
  u16: (at: number) => number,
): Uint8Array | string {
  if (total === 0) return 'empty value';
  if (total > data.length) return `value length ${total} exceeds the file size`;
  const out = new Uint8Array(total);
  let filled = 0;
  let pgno = first;
  const seen = new Set<number>();
  while (pgno !== 0) {
    if (pgno > lastReadable) return `overflow page ${pgno} is missing (file truncated?)`;
    if (seen.has(pgno)) return `overflow chain loops at page ${pgno}`;
    seen.add(pgno);
    const page = pgno * pageSize;
    if (data[page + 25] !== P_OVERFLOW) return `page ${pgno} is not an overflow page`;
    const len = u16(page + 22);
    if (len > pageSize - PAGE_HEADER) return `overflow page ${pgno} claims ${len} bytes`;
    if (filled + len > total) return `overflow chain longer than the value length ${total}`;
    out.set(data.subarray(page + PAGE_HEADER, page + PAGE_HEADER + len), filled);
    filled += len;
    pgno = u32(page + 16);
  }
  if (filled !== total) return `overflow chain holds ${filled} of ${total} bytes`;
  return out;
}
