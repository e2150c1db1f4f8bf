/**
 * dpkg status database parser: `var/lib/dpkg/status` and the one-file-per-package
 * `var/lib/dpkg/status.d/*` of distroless images. Pure: bytes in, typed records out.
 *
 * The format is a sequence of RFC 822-like stanzas separated by blank lines; a line starting
 * with a space or tab continues the previous field (deb-control(5)).
 */
import { ParseError } from '../../../core/errors.js';
import { decodeText } from '../../util/text.js';
import type { RecordProblem } from '../common.js';
import { splitLines } from '../../formats/lines.js';

export interface DebVersion {
  epoch?: number;
  upstream: string;
  revision?: string;
}

export interface DpkgRecord {
  name: string;
  /** As dpkg prints it: `[epoch:]upstream[-revision]`. */
  version: string;
  parsed: DebVersion;
  arch?: string;
  /** Source package; defaults to the binary package. */
  sourceName: string;
  /** Source version from `Source: name (version)`; defaults to the binary version. */
  sourceVersion: string;
  /** Raw Status field, absent in most distroless status.d files. */
  status?: string;
  /** 1-based line of the stanza's first line. */
  line: number;
}

export interface DpkgParseResult {
  records: DpkgRecord[];
  /** Stanzas that were dropped, and why. Not-installed packages are not problems. */
  problems: RecordProblem[];
}

interface Stanza {
  line: number;
  fields: Map<string, string>;
  malformed: number[];
}

/**
 * Parses a dpkg status file (or one status.d entry). Throws ParseError when the file as a whole is
 * unusable: empty, or not one stanza could be read as a package.
 */
export function parseDpkgStatus(content: Uint8Array | string, path: string): DpkgParseResult {
  const text = typeof content === 'string' ? content : decodeText(content);
  if (text.trim() === '') throw new ParseError(path, 'empty dpkg status file');
  if (text.includes('\u0000')) throw new ParseError(path, 'binary data in a dpkg status file');

  const stanzas = splitStanzas(text);
  const records: DpkgRecord[] = [];
  const problems: RecordProblem[] = [];
  let skipped = 0;
  for (const stanza of stanzas) {
    const r = toRecord(stanza);
    if (r === 'not-installed') skipped++;
    else if (typeof r === 'string') problems.push({ line: stanza.line, message: r });
    else records.push(r);
  }
  if (records.length === 0 && skipped === 0) {
    const first = problems[0];
    throw new ParseError(
      path,
      `no package stanza could be read${first ? ` (line ${first.line ?? '?'}: ${first.message}${problems.length > 1 ? `, and ${problems.length - 1} more` : ''})` : ''}`,
    );
  }
  return { records, problems };
}

function splitStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let cur: Stanza | undefined;
  let lastField: string | undefined;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      cur = undefined;
      lastField = undefined;
      continue;
    }
    if (!cur) {
      cur = { line: i + 1, fields: new Map(), malformed: [] };
      stanzas.push(cur);
    }
    const c = line.charCodeAt(0);
    if (c === 32 || c === 9) {
      if (lastField === undefined) cur.malformed.push(i + 1);
      else cur.fields.set(lastField, `${cur.fields.get(lastField) ?? ''}\n${line.trim()}`);
      continue;
    }
    if (line.startsWith('#')) continue; // deb822 comment lines
    const colon = line.indexOf(':');
    const key = colon > 0 ? line.slice(0, colon) : '';
    if (key === '' || /\s/.test(key)) {
      cur.malformed.push(i + 1);
      lastField = undefined;
      continue;
    }
    lastField = key.toLowerCase();
    cur.fields.set(lastField, line.slice(colon + 1).trim());
  }
  return stanzas;
}

/** dpkg's own notion of "the files are on disk": everything but not-installed and config-files. */
const ABSENT_STATES = new Set(['not-installed', 'config-files']);

function toRecord(s: Stanza): DpkgRecord | 'not-installed' | string {
  const name = s.fields.get('package') ?? '';
  if (s.malformed.length > 0 && name === '') return `malformed line ${s.malformed[0]} in a stanza without a Package field`;
  if (name === '') return 'stanza without a Package name';
  if (!/^[a-z0-9][a-z0-9+.-]*$/i.test(name)) return `invalid package name ${JSON.stringify(name)}`;
  if (s.malformed.length > 0) return `package ${name}: malformed line ${s.malformed[0]}`;

  const status = s.fields.get('status');
  if (status !== undefined) {
    const words = status.split(/\s+/);
    if (words.length !== 3) return `package ${name}: malformed Status ${JSON.stringify(status)}`;
    if (ABSENT_STATES.has(words[2] ?? '')) return 'not-installed';
  }

  const version = s.fields.get('version') ?? '';
  if (version === '') return `package ${name}: no Version`;
  const parsed = parseDebVersion(version);
  if (typeof parsed === 'string') return `package ${name}: invalid version ${JSON.stringify(version)}: ${parsed}`;

  let sourceName = name;
  let sourceVersion = version;
  const source = s.fields.get('source');
  if (source !== undefined && source !== '') {
    const m = /^(\S+)(?:\s*\(\s*([^)\s]+)\s*\))?$/.exec(source);
    if (!m?.[1]) return `package ${name}: malformed Source ${JSON.stringify(source)}`;
    sourceName = m[1];
    if (m[2]) {
      if (typeof parseDebVersion(m[2]) === 'string') return `package ${name}: invalid source version ${JSON.stringify(m[2])}`;
      sourceVersion = m[2];
    }
  }

  const arch = s.fields.get('architecture');
  const record: DpkgRecord = { name, version, parsed, sourceName, sourceVersion, line: s.line };
  if (arch) record.arch = arch;
  if (status !== undefined) record.status = status;
  return record;
}

/**
 * Splits a Debian version into epoch, upstream and revision (deb-version(7)), or returns why it
 * is invalid. Upstream must start with a digit; a hyphen is only allowed when there is a revision.
 */
export function parseDebVersion(version: string): DebVersion | string {
  let rest = version.trim();
  if (rest !== version) return 'surrounding whitespace';
  let epoch: number | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const e = rest.slice(0, colon);
    if (!/^\d+$/.test(e)) return 'epoch is not a number';
    epoch = Number(e);
    if (!Number.isSafeInteger(epoch)) return 'epoch out of range';
    rest = rest.slice(colon + 1);
  }
  let revision: string | undefined;
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) {
    revision = rest.slice(dash + 1);
    rest = rest.slice(0, dash);
    if (!/^[A-Za-z0-9.+~]+$/.test(revision)) return 'invalid revision';
  }
  const upstream = rest;
  if (upstream === '') return 'empty upstream version';
  if (!/^[0-9]/.test(upstream)) return 'upstream version does not start with a digit';
  const allowed = revision !== undefined ? /^[A-Za-z0-9.+~:-]+$/ : /^[A-Za-z0-9.+~:]+$/;
  if (!allowed.test(upstream)) return 'invalid character in upstream version';
  const out: DebVersion = { upstream };
  if (epoch !== undefined) out.epoch = epoch;
  if (revision !== undefined) out.revision = revision;
  return out;
}
