/**
 * Alpine apk installed database parser (`lib/apk/db/installed`). Pure: bytes in, records out.
 *
 * The file is a sequence of records separated by blank lines; each line is `X:value` with a
 * one-letter key (P name, V version, A arch, o origin, m maintainer, L license, C checksum,
 * F/R/a/M/Z per-file lines, ...). See apk-tools' `apk_db_index_read`.
 */
import { ParseError } from '../../../core/errors.js';
import { decodeText } from '../../util/text.js';
import type { RecordProblem } from '../common.js';
import { splitLines } from '../../formats/lines.js';

export interface ApkRecord {
  name: string;
  /** Full apk version, `1.2.3-r0`. */
  version: string;
  arch?: string;
  /** Source (origin) package; defaults to the package itself. */
  origin: string;
  license?: string;
  maintainer?: string;
  /** `C:` checksum, e.g. `Q1...` (base64 SHA-1). */
  checksum?: string;
  /** 1-based line of the record's first line. */
  line: number;
}

export interface ApkParseResult {
  records: ApkRecord[];
  problems: RecordProblem[];
}

interface RawRecord {
  line: number;
  fields: Map<string, string>;
  malformed: number[];
}

/** apk versions: digits and dots, optional letter, `_suffix[N]`*, optional `~hash`, optional `-rN`. */
const APK_VERSION = /^[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(~[0-9a-f]+)?(-r[0-9]+)?$/;

export function parseApkInstalled(content: Uint8Array | string, path: string): ApkParseResult {
  const text = typeof content === 'string' ? content : decodeText(content);
  if (text.trim() === '') throw new ParseError(path, 'empty apk installed database');
  if (text.includes('\u0000')) throw new ParseError(path, 'binary data in the apk installed database');

  const raws: RawRecord[] = [];
  let cur: RawRecord | undefined;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      cur = undefined;
      continue;
    }
    if (!cur) {
      cur = { line: i + 1, fields: new Map(), malformed: [] };
      raws.push(cur);
    }
    if (line.length < 2 || line[1] !== ':' || !/^[A-Za-z]$/.test(line[0] ?? '')) {
      cur.malformed.push(i + 1);
      continue;
    }
    const key = line[0] as string;
    // Per-file and per-directory keys repeat; only the first value of a package-level key is kept.
    if (!cur.fields.has(key)) cur.fields.set(key, line.slice(2));
  }

  const records: ApkRecord[] = [];
  const problems: RecordProblem[] = [];
  for (const raw of raws) {
    const r = toRecord(raw);
    if (typeof r === 'string') problems.push({ line: raw.line, message: r });
    else records.push(r);
  }
  if (records.length === 0) {
    const first = problems[0];
    throw new ParseError(
      path,
      `no package record could be read${first ? ` (line ${first.line ?? '?'}: ${first.message}${problems.length > 1 ? `, and ${problems.length - 1} more` : ''})` : ''}`,
    );
  }
  return { records, problems };
}

function toRecord(raw: RawRecord): ApkRecord | string {
  const name = raw.fields.get('P') ?? '';
  if (name === '') {
    return raw.malformed.length > 0 ? `malformed line ${raw.malformed[0]} in a record without P: (name)` : 'record without P: (name)';
  }
  if (/\s/.test(name)) return `invalid package name ${JSON.stringify(name)}`;
  if (raw.malformed.length > 0) return `package ${name}: malformed line ${raw.malformed[0]}`;
  const version = raw.fields.get('V') ?? '';
  if (version === '') return `package ${name}: no V: (version)`;
  if (!APK_VERSION.test(version)) return `package ${name}: invalid version ${JSON.stringify(version)}`;
  const origin = raw.fields.get('o');
  const rec: ApkRecord = { name, version, origin: origin && origin !== '' ? origin : name, line: raw.line };
  const arch = raw.fields.get('A');
  if (arch) rec.arch = arch;
  const license = raw.fields.get('L');
  if (license) rec.license = license;
  const maintainer = raw.fields.get('m');
  if (maintainer) rec.maintainer = maintainer;
  const checksum = raw.fields.get('C');
  if (checksum) rec.checksum = checksum;
  return rec;
}
