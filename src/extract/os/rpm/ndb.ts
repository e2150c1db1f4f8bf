/**
 * Reader for rpm's NDB `Packages.db` (SUSE's native backend, rpm lib/backend/ndb/rpmpkg.c).
 * All integers little-endian.
 *
 *   file header (32 bytes): magic "RpmP" u32, version u32 (=0), generation u32, slot_npages u32, 4 × u32
 *   slot pages: slot_npages × 4096 bytes from offset 0 (the header takes the first two slots);
 *     slot (16 bytes): magic "Slot" u32, pkgidx u32 (0 = free), blkoff u32, blkcnt u32
 *   blob at blkoff × 16: magic "BlbS" u32, pkgidx u32, checksum u32, len u32, then len bytes (the header)
 */
import type { RecordProblem } from '../common.js';
import { type RpmBlob, type RpmBlobs } from './blobs.js';
import { FormatError } from '../../formats/error.js';

const HEADER_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const SLOT_PAGE = 4096;
const SLOT_SIZE = 16;
const BLK_SIZE = 16;
const BLOB_HEADER = 16;
const MAX_SLOT_PAGES = 2048;

export function isNdb(data: Uint8Array): boolean {
  return data.length >= 16 && new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true) === HEADER_MAGIC;
}

export function readNdb(data: Uint8Array): RpmBlobs {
  if (data.length < 32) throw new FormatError(`NDB file too short (${data.length} bytes)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u32 = (at: number): number => view.getUint32(at, true);
  if (u32(0) !== HEADER_MAGIC) throw new FormatError('not an NDB database (bad magic)');
  if (u32(4) !== 0) throw new FormatError(`NDB: unsupported version ${u32(4)}`);
  const slotPages = u32(12);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES) throw new FormatError(`NDB: implausible slot page count ${slotPages}`);
  const slotEnd = slotPages * SLOT_PAGE;
  if (slotEnd > data.length) throw new FormatError(`NDB: file truncated inside the slot table (${data.length} of ${slotEnd} bytes)`);

  const blobs: RpmBlob[] = [];
  const problems: RecordProblem[] = [];
  let badSlots = 0;
  for (let at = 2 * SLOT_SIZE; at + SLOT_SIZE <= slotEnd; at += SLOT_SIZE) {
    if (u32(at) !== SLOT_MAGIC) {
      badSlots++;
      continue;
    }
    const pkgIndex = u32(at + 4);
    if (pkgIndex === 0) continue;
    const blkOffset = u32(at + 8);
    const blob = blkOffset * BLK_SIZE;
    if (blob < slotEnd || blob + BLOB_HEADER > data.length) {
      problems.push({ message: `package ${pkgIndex}: blob offset ${blob} outside the file (truncated?)` });
      continue;
    }
    if (u32(blob) !== BLOB_MAGIC) {
      problems.push({ message: `package ${pkgIndex}: bad blob magic` });
      continue;
    }
    if (u32(blob + 4) !== pkgIndex) {
      problems.push({ message: `package ${pkgIndex}: blob belongs to package ${u32(blob + 4)}` });
      continue;
    }
    const len = u32(blob + 12);
    const start = blob + BLOB_HEADER;
    if (start + len > data.length) {
      problems.push({ message: `package ${pkgIndex}: blob of ${len} bytes runs past the end of the file (truncated?)` });
      continue;
    }
    blobs.push({ id: pkgIndex, blob: data.subarray(start, start + len) });
  }
  if (badSlots > 0) problems.push({ message: `${badSlots} slot(s) with a bad magic were skipped` });
  return { blobs, problems };
}
