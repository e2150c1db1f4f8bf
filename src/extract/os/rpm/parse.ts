/**
 * rpm database parser: detects the backend by its magic (SQLite, NDB, Berkeley DB hash), reads
 * every header blob and decodes the package identity from each. Pure: bytes in, records out.
 */
import { ParseError } from '../../../core/errors.js';
import type { RecordProblem } from '../common.js';
import { isBerkeleyDb, readBerkeleyDb } from './bdb.js';
import { type RpmBlobs } from './blobs.js';
import { parseRpmHeader, parseSourceRpm, type RpmHeader, type SourceRpm } from './header.js';
import { isNdb, readNdb } from './ndb.js';
import { isSqlite, readSqlite } from './sqlite.js';
import { FormatError } from '../../formats/error.js';

export type RpmDbFormat = 'sqlite' | 'ndb' | 'bdb';

export interface RpmRecord extends RpmHeader {
  /** Source package split from SOURCERPM. */
  source?: SourceRpm;
  /** The backend's id for the entry (hnum, NDB package index, BDB first overflow page). */
  id: number;
}

export interface RpmParseResult {
  format: RpmDbFormat;
  records: RpmRecord[];
  problems: RecordProblem[];
}

export function detectRpmDbFormat(data: Uint8Array): RpmDbFormat | undefined {
  if (isSqlite(data)) return 'sqlite';
  if (isNdb(data)) return 'ndb';
  if (isBerkeleyDb(data)) return 'bdb';
  return undefined;
}

/** Parses an rpm database of any of the three formats. gpg-pubkey pseudo-packages are skipped. */
export function parseRpmDb(content: Uint8Array, path: string): RpmParseResult {
  if (content.length === 0) throw new ParseError(path, 'empty rpm database');
  const format = detectRpmDbFormat(content);
  if (!format) throw new ParseError(path, 'not an rpm database (no SQLite, NDB or Berkeley DB hash magic)');
  let read: RpmBlobs;
  try {
    read = format === 'sqlite' ? readSqlite(content) : format === 'ndb' ? readNdb(content) : readBerkeleyDb(content);
  } catch (e) {
    if (e instanceof FormatError) throw new ParseError(path, e.message, { cause: e });
    throw e;
  }
  const problems: RecordProblem[] = [...read.problems];
  const records: RpmRecord[] = [];
  for (const { id, blob } of read.blobs) {
    let h: RpmHeader;
    try {
      h = parseRpmHeader(blob);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      problems.push({ message: `entry ${id}: ${e.message}` });
      continue;
    }
    if (h.name === 'gpg-pubkey') continue;
    const rec: RpmRecord = { ...h, id };
    if (h.sourceRpm) {
      const src = parseSourceRpm(h.sourceRpm);
      if (src) rec.source = src;
      else problems.push({ message: `package ${h.name}: unparseable SOURCERPM ${JSON.stringify(h.sourceRpm)}; source package unknown` });
    }
    records.push(rec);
  }
  if (records.length === 0 && problems.length > 0) {
    const first = problems[0]?.message ?? '';
    throw new ParseError(path, `no package could be read from the ${format} rpm database (${first}${problems.length > 1 ? `, and ${problems.length - 1} more` : ''})`);
  }
  return { format, records, problems };
}
