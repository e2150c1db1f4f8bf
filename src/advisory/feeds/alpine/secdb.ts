/**
 * Parser for the Alpine secdb (https://secdb.alpinelinux.org/<release>/<repo>.json):
 *
 *   { "apkurl": "…", "archs": […], "reponame": "main", "urlprefix": "…", "distroversion": "v3.11",
 *     "packages": [ { "pkg": { "name": "<origin package>",
 *                              "secfixes": { "<fixed version>": ["CVE-2019-1234", "CVE-2016-6258 XSA-182", …] } } } ] }
 *
 * Every id listed under a version was fixed in that version of that origin (source) package in that release.
 *
 * Records are grouped per advisory id within the file: one record per CVE (or other id), with one affected entry
 * per (package, fixed version) naming it. An id can be listed under two versions of one package (a fix on an older
 * upstream branch and on a newer one, or a fix and its completion, e.g. wireshark CVE-2017-13767 in 2.2.9-r0 and
 * 2.4.1-r0); each gets its own entry, so a matcher that treats entries as alternatives reports a version as
 * affected if it is below either, which is the conservative reading. The importer merges same-id records across
 * files.
 *
 * An entry string is read as whitespace-separated ids plus free text:
 * - CVE ids become the record ids. Upstream typos are repaired: "CVE_2019-2426" and "CVE 2018-16859" →
 *   "CVE-…", and a CVE id followed by a suffix ("CVE-2017-17434-1", "CVE-2019-19451.patch") → the CVE id.
 * - Other ids shaped like `PREFIX-123` (Xen `XSA-182`, `TALOS-2019-0844`, Wireshark `wnpa-sec-2017-18`,
 *   `ZBX-11023`) name the same vulnerability in another database: they become aliases of each CVE in the entry.
 *   An entry without a CVE (the xen placeholder "CVE-????-?????  XSA-295", "ZBX-11023") gets its first other id
 *   as the record id and the rest as aliases.
 * - Several CVEs in one entry ("CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI") list each other as
 *   `related`.
 * - Parenthesized text ("(SMB - partially fixed, but SMB printing disabled)") and other words ("XPTI") become the
 *   affected entry's note.
 * The version key "0" means the package was never affected by the ids listed there (e.g. db in v3.8): no affected
 * entry is made for them (counted in `stats.notAffected`).
 * Alpine secdb carries no severity.
 */
import type { AdvisoryRecord, AffectedPackage } from '../../../core/advisory.js';
import type { ParseProblem } from '../debian/parse-problem.js';

export interface AlpineSecdbStats {
  /** Entries of `packages`, usable or not. */
  packages: number;
  /** Items of every secfixes list: the README's "fixed CVE entries". */
  entries: number;
  /** Entries under the "0" (not affected) version key. */
  notAffected: number;
  records: number;
  affected: number;
  problems: number;
}

export interface AlpineSecdbResult {
  records: AdvisoryRecord[];
  skipped: ParseProblem[];
  stats: AlpineSecdbStats;
}

/** One secfixes entry, read. */
export interface SecfixEntry {
  cves: string[];
  otherIds: string[];
  note?: string;
}

const CVE_PREFIX = /^CVE-(\d{4})-(\d{4,})/i;
const OTHER_ID = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+$/;
const PLACEHOLDER = /\?/;
const RELEASE = /^(v\d+\.\d+|edge)$/;
const VERSION = /^\S+$/;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Reads one secfixes entry string; undefined when it names no id at all. Exported for tests. */
export function parseSecfixEntry(text: string): SecfixEntry | undefined {
  const notes: string[] = [];
  let rest = text.replace(/\(([^)]*)\)/g, (_m, inner: string) => {
    if (inner.trim()) notes.push(inner.trim());
    return ' ';
  });
  // "CVE_2019-2426", "CVE 2018-16859" → "CVE-…"
  rest = rest.replace(/\bCVE[\s_]+(?=\d{4}-\d)/gi, 'CVE-');
  const cves: string[] = [];
  const otherIds: string[] = [];
  const words: string[] = [];
  for (const token of rest.split(/\s+/).filter(Boolean)) {
    const cve = CVE_PREFIX.exec(token);
    if (cve) {
      const id = `CVE-${cve[1]}-${cve[2]}`;
      if (!cves.includes(id)) cves.push(id);
    } else if (/^CVE-/i.test(token) && PLACEHOLDER.test(token)) {
      // "CVE-????-?????": no CVE assigned yet
    } else if (OTHER_ID.test(token)) {
      if (!otherIds.includes(token)) otherIds.push(token);
    } else {
      words.push(token);
    }
  }
  if (cves.length === 0 && otherIds.length === 0) return undefined;
  const note = [...(words.length > 0 ? [words.join(' ')] : []), ...notes].join('; ');
  return note ? { cves, otherIds, note } : { cves, otherIds };
}

/** Parses one secdb document (already JSON-parsed); `where` names it in problems ("alpine/v3.11/main.json"). */
export function parseAlpineSecdb(json: unknown, where: string): AlpineSecdbResult {
  const skipped: ParseProblem[] = [];
  const stats: AlpineSecdbStats = { packages: 0, entries: 0, notAffected: 0, records: 0, affected: 0, problems: 0 };
  const done = (records: AdvisoryRecord[]): AlpineSecdbResult => {
    stats.records = records.length;
    stats.affected = records.reduce((n, r) => n + r.affected.length, 0);
    stats.problems = skipped.length;
    return { records, skipped, stats };
  };

  if (!isRecord(json)) {
    skipped.push({ skipped: true, reason: 'not an Alpine secdb document (not a JSON object)', where });
    return done([]);
  }
  const release = json.distroversion;
  if (typeof release !== 'string' || !RELEASE.test(release)) {
    skipped.push({ skipped: true, reason: `not an Alpine secdb document: distroversion is ${JSON.stringify(release ?? null)}`, where });
    return done([]);
  }
  if (!Array.isArray(json.packages)) {
    skipped.push({ skipped: true, reason: 'not an Alpine secdb document: "packages" is not an array', where });
    return done([]);
  }
  const ecosystem = `Alpine:${release}`;

  const byId = new Map<string, AdvisoryRecord>();
  const recordFor = (id: string): AdvisoryRecord => {
    let r = byId.get(id);
    if (!r) {
      r = { id, aliases: [], related: [], severities: [], references: [], affected: [] };
      if (/^CVE-/.test(id)) r.references.push({ type: 'ADVISORY', url: `https://security.alpinelinux.org/vuln/${id}` });
      byId.set(id, r);
    }
    return r;
  };
  const addAll = (into: string[], ids: string[], except: string) => {
    for (const id of ids) if (id !== except && !into.includes(id)) into.push(id);
  };

  json.packages.forEach((item: unknown, index: number) => {
    stats.packages++;
    const pkg = isRecord(item) ? item.pkg : undefined;
    if (!isRecord(pkg)) {
      skipped.push({ skipped: true, reason: 'package entry without a "pkg" object', where: `${where}: packages[${index}]` });
      return;
    }
    const name = pkg.name;
    if (typeof name !== 'string' || name.trim() === '' || /\s/.test(name)) {
      skipped.push({ skipped: true, reason: `invalid package name ${JSON.stringify(name ?? null)}`, where: `${where}: packages[${index}]` });
      return;
    }
    const secfixes = pkg.secfixes;
    if (secfixes === undefined || secfixes === null) return; // a package with nothing fixed yet
    if (!isRecord(secfixes)) {
      skipped.push({ skipped: true, reason: '"secfixes" is not an object', where: `${where}: ${name}` });
      return;
    }
    for (const [version, list] of Object.entries(secfixes)) {
      const at = `${where}: ${name}/${version}`;
      if (!Array.isArray(list)) {
        skipped.push({ skipped: true, reason: `the ids fixed in ${JSON.stringify(version)} are not a list (${JSON.stringify(list)})`, where: at });
        continue;
      }
      const fixed = version.trim();
      const versionOk = fixed !== '' && VERSION.test(fixed);
      for (const entry of list as unknown[]) {
        stats.entries++;
        if (!versionOk) {
          skipped.push({ skipped: true, reason: `invalid fixed version ${JSON.stringify(version)}`, where: at });
          continue;
        }
        if (typeof entry !== 'string') {
          skipped.push({ skipped: true, reason: `entry is not a string: ${JSON.stringify(entry)}`, where: at });
          continue;
        }
        const parsed = parseSecfixEntry(entry);
        if (!parsed) {
          skipped.push({ skipped: true, reason: `no advisory id in ${JSON.stringify(entry)}`, where: at });
          continue;
        }
        if (fixed === '0') {
          stats.notAffected++;
          continue;
        }
        const primaries = parsed.cves.length > 0 ? parsed.cves : parsed.otherIds.slice(0, 1);
        for (const id of primaries) {
          const record = recordFor(id);
          addAll(record.aliases, parsed.cves.length > 0 ? parsed.otherIds : parsed.otherIds.slice(1), id);
          addAll(record.related, parsed.cves, id);
          if (record.affected.some((a) => a.name === name && a.ranges[0]?.events[1]?.fixed === fixed)) continue;
          const affected: AffectedPackage = {
            ecosystem,
            name,
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
            versions: [],
            fixState: 'fixed',
          };
          if (parsed.note) affected.note = parsed.note;
          record.affected.push(affected);
        }
      }
    }
  });

  // Ids seen only under "0" never get a record; keep it that way even if the loop above changes.
  return done([...byId.values()].filter((r) => r.affected.length > 0));
}
