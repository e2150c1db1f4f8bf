/**
 * rpm header blob parser: the on-disk form of one package's header as stored in every rpmdb
 * backend (rpm's lib/header.c "headerImport").
 *
 * Layout (all integers big-endian):
 *   il  u32          number of index entries
 *   dl  u32          size of the data store
 *   il × { tag i32, type u32, offset i32, count u32 }
 *   dl bytes of data
 * The first entry is usually a region tag (61..63) pointing at a trailer; entries after the region
 * ("dribbles") override earlier ones. We only read the few tags we need, with bounds checks.
 */
import { FormatError } from '../../formats/error.js';

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  ARCH: 1022,
  SOURCERPM: 1044,
  MODULARITYLABEL: 5096,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;
const MAX_TYPE = 9;
/** rpm's HEADER_I18NTABLE: tags below it are region markers, not data. */
const FIRST_DATA_TAG = 100;
/** rpm's headerMaxbytes. */
const MAX_HEADER_BYTES = 256 * 1024 * 1024;
/** rpm's hdrchkTags limit. */
const MAX_INDEX_ENTRIES = 0x00ffffff;

export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  /** `name-version-release.src.rpm`; absent for source packages and gpg-pubkey entries. */
  sourceRpm?: string;
  modularityLabel?: string;
}

/** Parses one header blob. Throws RpmHeaderError when it is not a sound header. */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  if (blob.length < 8) throw new FormatError(`header blob too short (${blob.length} bytes)`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  if (il < 1 || il > MAX_INDEX_ENTRIES) throw new FormatError(`bad index entry count ${il}`);
  const dataStart = 8 + il * 16;
  const total = dataStart + dl;
  if (total >= MAX_HEADER_BYTES) throw new FormatError(`header too large (${total} bytes)`);
  if (total > blob.length) throw new FormatError(`header truncated: needs ${total} bytes, has ${blob.length}`);

  // Wanted tag -> index of its last entry (later entries override: dribbles win over the region).
  const wanted = new Set<number>(Object.values(RPMTAG));
  const found = new Map<number, { type: number; offset: number; count: number }>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = view.getInt32(at);
    const type = view.getUint32(at + 4);
    const offset = view.getInt32(at + 8);
    const count = view.getUint32(at + 12);
    if (tag < FIRST_DATA_TAG) {
      if (i === 0) continue; // region tag
      throw new FormatError(`bad tag ${tag} at index entry ${i}`);
    }
    if (type > MAX_TYPE) throw new FormatError(`bad type ${type} for tag ${tag}`);
    if (offset < 0 || offset >= dl) throw new FormatError(`tag ${tag} data offset ${offset} outside the data store (${dl} bytes)`);
    if (wanted.has(tag)) found.set(tag, { type, offset, count });
  }

  const dataEnd = dataStart + dl;
  const str = (tag: number): string | undefined => {
    const e = found.get(tag);
    if (!e) return undefined;
    if (e.type !== TYPE_STRING && e.type !== TYPE_I18NSTRING && e.type !== TYPE_STRING_ARRAY) {
      throw new FormatError(`tag ${tag} has type ${e.type}, expected a string`);
    }
    const start = dataStart + e.offset;
    const nul = blob.indexOf(0, start);
    if (nul < 0 || nul >= dataEnd) throw new FormatError(`tag ${tag} string is not terminated inside the data store`);
    return textDecoder.decode(blob.subarray(start, nul));
  };
  const int32 = (tag: number): number | undefined => {
    const e = found.get(tag);
    if (!e) return undefined;
    if (e.type !== TYPE_INT32 || e.count < 1) throw new FormatError(`tag ${tag} has type ${e.type}, expected int32`);
    if (e.offset % 4 !== 0 || e.offset + 4 > dl) throw new FormatError(`tag ${tag} int32 outside the data store`);
    return view.getInt32(dataStart + e.offset);
  };

  const name = str(RPMTAG.NAME);
  const version = str(RPMTAG.VERSION);
  const release = str(RPMTAG.RELEASE);
  if (!name) throw new FormatError('header has no NAME');
  if (version === undefined) throw new FormatError(`package ${name}: header has no VERSION`);
  if (release === undefined) throw new FormatError(`package ${name}: header has no RELEASE`);
  const out: RpmHeader = { name, version, release };
  const epoch = int32(RPMTAG.EPOCH);
  if (epoch !== undefined) {
    if (epoch < 0) throw new FormatError(`package ${name}: negative epoch ${epoch}`);
    out.epoch = epoch;
  }
  const arch = str(RPMTAG.ARCH);
  if (arch) out.arch = arch;
  const srpm = str(RPMTAG.SOURCERPM);
  if (srpm && srpm !== '(none)') out.sourceRpm = srpm;
  const label = str(RPMTAG.MODULARITYLABEL);
  if (label && label !== '(none)') out.modularityLabel = label;
  return out;
}

const textDecoder = new TextDecoder('utf-8', { fatal: false });

export interface SourceRpm {
  name: string;
  version: string;
  release: string;
}

/** Splits `name-version-release.src.rpm` (or `.nosrc.rpm`); undefined when it has another shape. */
export function parseSourceRpm(filename: string): SourceRpm | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(filename);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { name: m[1], version: m[2], release: m[3] };
}
