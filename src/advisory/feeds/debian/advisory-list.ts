/**
 * Parser for the Debian security tracker's advisory lists: `data/DSA/list` (Debian Security Advisories),
 * `data/DLA/list` (Debian LTS Advisories) and `data/DTSA/list` (the old testing-security advisories).
 *
 * Format (one advisory per header line, newest first, body lines indented by a tab or spaces):
 *
 *   [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *   	{CVE-2023-1393}
 *   	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 *   	[buster] - xorg-server <not-affected> (Vulnerable code not present)
 *   	NOTE: free text
 *
 * - Header: `[<date>] <ID> <title>`. Dates are "29 Mar 2023" (DSA, DLA) or "August 26th, 2005" (DTSA). IDs are
 *   `DSA-5380-1`, and before 2008 also `DSA-1304` without a revision; they are kept as written. The title is usually
 *   "<source packages> - <what>", but announcements ("jessie end-of-life", "Debian Security Team PGP/GPG key change
 *   notice") have no package and no body; they are still records (with no affected entries), so the record count
 *   equals the number of advisory headers.
 * - `{CVE-… CVE-…}`: the CVEs the advisory fixes → `aliases`.
 * - `[<codename>] - <source package> <version> [(<annotation>)]`: fixed in that version in that release.
 *   `<not-affected>` → no affected entry (counted); `<unfixed>` → `not-fixed`; `<end-of-life>` → `wont-fix` with
 *   note "end-of-life". The annotation (old DSAs and DTSAs) holds `;`-separated parts: an urgency (low, medium,
 *   high) → DISTRO severity, `bug #N` → a REPORT reference, anything else → the affected entry's note.
 * - `NOTE:` lines → `details` (one per line).
 * - A blank line ends the advisory (the real lists have none).
 * Anything else is reported as a problem and skipped; the rest of the advisory is kept.
 */
import type { AdvisoryRecord, AffectedPackage, Reference } from '../../../core/advisory.js';
import type { ParseProblem } from './parse-problem.js';
import { debianEcosystem } from './releases.js';
import { debianUrgencyAssessment, normalizeUrgency } from './urgency.js';

export type DebianAdvisoryKind = 'DSA' | 'DLA' | 'DTSA';

export interface DebianAdvisoryListStats {
  /** Advisory headers read (records returned). */
  advisories: number;
  /** Affected entries in the records. */
  affected: number;
  /** `<not-affected>` lines. */
  notAffected: number;
  /** Problems reported. */
  problems: number;
}

export interface DebianAdvisoryListResult {
  records: AdvisoryRecord[];
  skipped: ParseProblem[];
  stats: DebianAdvisoryListStats;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const HEADER = /^\[([^\]]*)\]\s+(\S+)\s*(.*)$/;
const ADVISORY_ID = /^(DSA|DLA|DTSA)-(\d+)(?:-(\d+))?$/;
const PACKAGE_LINE = /^\[([^\]]*)\]\s+-\s+(\S+)\s+(\S+)(?:\s+\((.*)\))?$/;
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const SOURCE_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const URGENCIES = new Set(['unimportant', 'low', 'medium', 'high']);
const TRACKER_URL = 'https://security-tracker.debian.org/tracker/';

/**
 * Parses one list file. `kind` says which list it is: headers with another prefix are skipped as problems.
 * `where` names the file in problems (default "<kind>/list").
 */
export function parseDebianAdvisoryList(text: string, kind: DebianAdvisoryKind, where = `${kind}/list`): DebianAdvisoryListResult {
  const records: AdvisoryRecord[] = [];
  const skipped: ParseProblem[] = [];
  const stats: DebianAdvisoryListStats = { advisories: 0, affected: 0, notAffected: 0, problems: 0 };
  const problem = (line: number, reason: string) => {
    skipped.push({ skipped: true, reason, where: `${where}:${line}` });
  };

  let current: { record: AdvisoryRecord; notes: string[] } | undefined;
  /** Inside the body of a header we could not use: its lines are dropped with it. */
  let skippingBody = false;
  const finish = () => {
    if (!current) return;
    if (current.notes.length > 0) current.record.details = current.notes.join('\n');
    records.push(current.record);
    current = undefined;
  };

  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = (lines[i] ?? '').replace(/\s+$/, '');
    if (raw === '') {
      // The real lists have no blank lines; treat one as the end of the advisory, not as part of it.
      finish();
      skippingBody = false;
      continue;
    }

    if (!/^\s/.test(raw)) {
      finish();
      skippingBody = false;
      const header = parseHeader(raw, kind);
      if ('reason' in header) {
        problem(lineNo, header.reason);
        skippingBody = true;
        continue;
      }
      if (header.dateProblem) problem(lineNo, header.dateProblem);
      current = { record: header.record, notes: [] };
      continue;
    }

    const body = raw.trim();
    if (!current) {
      if (!skippingBody) problem(lineNo, 'indented line outside any advisory');
      continue;
    }
    const record = current.record;

    if (body.startsWith('{')) {
      if (!body.endsWith('}')) {
        problem(lineNo, 'unterminated {…} id list');
        continue;
      }
      for (const token of body.slice(1, -1).split(/\s+/).filter(Boolean)) {
        if (CVE_ID.test(token)) {
          if (!record.aliases.includes(token)) record.aliases.push(token);
        } else {
          problem(lineNo, `not a CVE id in the {…} list: ${JSON.stringify(token)}`);
        }
      }
      continue;
    }

    if (body.startsWith('NOTE:')) {
      const note = body.slice('NOTE:'.length).trim();
      if (note) current.notes.push(note);
      continue;
    }

    const m = PACKAGE_LINE.exec(body);
    if (!m) {
      problem(lineNo, `unrecognized line ${JSON.stringify(body)}`);
      continue;
    }
    const [, codename = '', name = '', version = '', annotation] = m;
    const ecosystem = debianEcosystem(codename);
    if (ecosystem === undefined) {
      problem(lineNo, `unknown release codename ${JSON.stringify(codename)}`);
      continue;
    }
    if (!SOURCE_PACKAGE.test(name)) {
      problem(lineNo, `invalid source package name ${JSON.stringify(name)}`);
      continue;
    }
    const affected: AffectedPackage = { ecosystem, name, ranges: [], versions: [] };
    const notes: string[] = [];
    for (const part of (annotation ?? '').split(';').map((p) => p.trim()).filter(Boolean)) {
      const bug = /^bug #(\d+)$/i.exec(part);
      if (bug) {
        addReference(record.references, { type: 'REPORT', url: `https://bugs.debian.org/${bug[1]}` });
      } else if (URGENCIES.has(normalizeUrgency(part))) {
        affected.severity = debianUrgencyAssessment(part);
      } else {
        notes.push(part);
      }
    }

    if (version === '<not-affected>') {
      stats.notAffected++;
      continue;
    }
    if (version === '<unfixed>') {
      affected.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }];
      affected.fixState = 'not-fixed';
    } else if (version === '<end-of-life>') {
      affected.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }];
      affected.fixState = 'wont-fix';
      notes.unshift('end-of-life');
    } else if (version.startsWith('<')) {
      problem(lineNo, `unknown version marker ${JSON.stringify(version)}`);
      continue;
    } else {
      affected.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }];
      affected.fixState = 'fixed';
    }
    if (notes.length > 0) affected.note = notes.join('; ');
    record.affected.push(affected);
  }
  finish();

  stats.advisories = records.length;
  stats.affected = records.reduce((n, r) => n + r.affected.length, 0);
  stats.problems = skipped.length;
  return { records, skipped, stats };
}

type HeaderResult = { record: AdvisoryRecord; dateProblem?: string } | { reason: string };

function parseHeader(line: string, kind: DebianAdvisoryKind): HeaderResult {
  const m = HEADER.exec(line);
  if (!m) return { reason: `unrecognized header line ${JSON.stringify(line)}` };
  const [, dateText = '', id = '', title = ''] = m;
  const idm = ADVISORY_ID.exec(id);
  if (!idm) return { reason: `not an advisory id: ${JSON.stringify(id)}` };
  if (idm[1] !== kind) return { reason: `${id} in the ${kind} list` };

  const record: AdvisoryRecord = {
    id,
    aliases: [],
    related: [],
    severities: [],
    references: [{ type: 'ADVISORY', url: TRACKER_URL + id }],
    affected: [],
  };
  if (title.trim()) record.summary = title.trim();
  const published = parseListDate(dateText);
  if (published === undefined) return { record, dateProblem: `unparseable date ${JSON.stringify(dateText)}` };
  record.published = published;
  const web = debianWebsiteUrl(kind, idm[2] ?? '', idm[3], published.slice(0, 4));
  if (web) record.references.push({ type: 'ADVISORY', url: web });
  return { record };
}

/**
 * "29 Mar 2023" or "August 26th, 2005" → "2023-03-29T00:00:00Z". Undefined when not a real date.
 * Exported for tests.
 */
export function parseListDate(text: string): string | undefined {
  const t = text.trim();
  let day: number, month: number, year: number;
  let m = /^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$/.exec(t);
  if (m) {
    day = Number(m[1]);
    month = monthIndex(m[2] ?? '');
    year = Number(m[3]);
  } else {
    m = /^([A-Za-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(t);
    if (!m) return undefined;
    month = monthIndex(m[1] ?? '');
    day = Number(m[2]);
    year = Number(m[3]);
  }
  if (month < 0) return undefined;
  const date = new Date(Date.UTC(year, month, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return undefined;
  return `${date.toISOString().slice(0, 10)}T00:00:00Z`;
}

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** "Mar" or "March" (any case) → 2; -1 otherwise. */
function monthIndex(name: string): number {
  const lower = name.toLowerCase();
  const i = MONTHS.indexOf(lower.slice(0, 3));
  if (i < 0) return -1;
  return lower.length === 3 || MONTH_NAMES[i] === lower ? i : -1;
}

/** The advisory's page on www.debian.org, as the tracker links it (bin/tracker_service.py url_dsa / url_dla). */
function debianWebsiteUrl(kind: DebianAdvisoryKind, number: string, revision: string | undefined, year: string): string | undefined {
  const n = Number(number);
  if (kind === 'DSA') return `https://www.debian.org/security/${year}/dsa-${n}`;
  if (kind === 'DLA') {
    const page = revision === undefined || revision === '1' ? `dla-${n}` : `dla-${n}-${revision}`;
    return `https://www.debian.org/lts/security/${year}/${page}`;
  }
  return undefined;
}

function addReference(refs: Reference[], ref: Reference): void {
  if (!refs.some((r) => r.url === ref.url)) refs.push(ref);
}
