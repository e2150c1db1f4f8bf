/**
 * Parser for the Debian security tracker's JSON export (https://security-tracker.debian.org/tracker/data/json).
 *
 * Shape (written by bin/tracker_service.py `_get_json` in the tracker's repository; keys whose value would be null
 * are left out):
 *
 *   { "<source package>": { "<CVE-… or TEMP-… id>": {
 *       "description": "…", "scope": "local|remote", "debianbug": 123456,
 *       "releases": { "<codename>": {
 *         "status": "resolved|open|undetermined", "fixed_version": "1.2-3", "urgency": "low",
 *         "nodsa": "Minor issue", "nodsa_reason": "postponed|ignored|", "next_point_update": true,
 *         "repositories": { "<codename>": "<version>", "<codename>-security": "<version>" } } } } } }
 *
 * Upstream is ~70 MB, so it is streamed: stream-json's object streamer assembles one top-level source package at a
 * time, so memory stays bounded by the largest package (linux), not by the document.
 *
 * One record per (source package, issue), one affected entry per release; the importer merges records with the
 * same id. Per release:
 * - `resolved` with `fixed_version` "0": the release was never affected → no affected entry (counted).
 * - `resolved` with a version → fixed in that version (`fixState: 'fixed'`).
 * - `resolved` without a version → skipped as a problem (no range can be stated).
 * - `open` with `nodsa` or a `nodsa_reason` (`ignored`, `postponed`, or empty for a plain <no-dsa>) →
 *   `fixState: 'wont-fix'`, `note` = "<reason>: <nodsa text>" ("no-dsa" when the reason is empty).
 * - `open` with urgency `end-of-life` (the package lost security support in that release) → `wont-fix`, note
 *   "end-of-life".
 * - other `open` → `not-fixed`.
 * - `undetermined` (nobody has checked yet whether the release is affected) → reported as `not-fixed` with a note
 *   saying so: a scanner should rather over-report than miss it.
 * - `experimental` is not a release and is ignored; unknown codenames are skipped as problems.
 * The release's urgency becomes the affected entry's DISTRO severity (source `debian-tracker`).
 */
import { Readable, pipeline } from 'node:stream';
import streamObject from 'stream-json/streamers/stream-object.js';
import type { AdvisoryRecord, AffectedPackage, Reference } from '../../../core/advisory.js';
import { ParseError, describeError } from '../../../core/errors.js';
import { isParseProblem, type ParseProblem } from './parse-problem.js';
import { debianEcosystem } from './releases.js';
import { debianUrgencyAssessment, normalizeUrgency } from './urgency.js';

export type TrackerJsonInput =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | NodeJS.ReadableStream
  | Uint8Array
  | string;

/** Counts a caller can pass in and read after the parse (the generator fills it as it goes). */
export interface DebianTrackerStats {
  /** Top-level source packages read. */
  packages: number;
  /** (package, issue) pairs read. */
  issues: number;
  /** Records yielded. */
  records: number;
  /** Affected entries in the yielded records. */
  affected: number;
  /** Releases marked never affected (`resolved` with fixed_version "0"). */
  notAffected: number;
  /** Issues whose every release was dropped (not affected, ignored or malformed): no record yielded. */
  withoutAffected: number;
  /** Release entries ignored on purpose (`experimental`). */
  ignoredReleases: number;
  /** Problems yielded. */
  problems: number;
}

export interface DebianTrackerOptions {
  /** Names the input in problems and errors; default "debian/json". */
  where?: string;
  /** Filled in while parsing. */
  stats?: DebianTrackerStats;
}

export function emptyDebianTrackerStats(): DebianTrackerStats {
  return { packages: 0, issues: 0, records: 0, affected: 0, notAffected: 0, withoutAffected: 0, ignoredReleases: 0, problems: 0 };
}

const TRACKER_URL = 'https://security-tracker.debian.org/tracker/';

/**
 * Streams the tracker JSON and yields records and problems as each source package is read.
 * Malformed packages, issues and releases are yielded as problems; the parse goes on.
 * Throws `ParseError` only when the byte stream itself is not JSON (truncated download, HTML error page, ...) or its
 * top level is not an object, since then nothing after the fault can be read.
 */
export async function* parseDebianTrackerJson(
  input: TrackerJsonInput,
  options: DebianTrackerOptions = {},
): AsyncGenerator<AdvisoryRecord | ParseProblem, DebianTrackerStats, undefined> {
  const where = options.where ?? 'debian/json';
  const stats = options.stats ?? emptyDebianTrackerStats();
  const source = toReadable(input);
  const tokens = streamObject.withParserAsStream();
  // pipeline() forwards errors both ways: a failing source destroys the parser (our loop then throws), and
  // leaving the loop early destroys the source.
  pipeline(source, tokens, () => {});
  const items = (tokens as AsyncIterable<{ key: string; value: unknown }>)[Symbol.asyncIterator]();
  try {
    while (true) {
      let next: IteratorResult<{ key: string; value: unknown }>;
      try {
        next = await items.next();
      } catch (e) {
        throw new ParseError(where, `not readable as the Debian tracker JSON: ${describeError(e)}`, {
          hint: 'the download may be truncated or not JSON; fetch it again',
          cause: e,
        });
      }
      if (next.done) break;
      stats.packages++;
      const { records, skipped } = convertTrackerPackage(next.value.key, next.value.value, where, stats);
      for (const problem of skipped) {
        stats.problems++;
        yield problem;
      }
      for (const record of records) {
        stats.records++;
        stats.affected += record.affected.length;
        yield record;
      }
    }
  } finally {
    tokens.destroy();
    source.destroy();
  }
  return stats;
}

/** Everything at once, for small inputs (tests, fixtures). */
export async function parseDebianTrackerJsonAll(
  input: TrackerJsonInput,
  options: Omit<DebianTrackerOptions, 'stats'> = {},
): Promise<{ records: AdvisoryRecord[]; skipped: ParseProblem[]; stats: DebianTrackerStats }> {
  const stats = emptyDebianTrackerStats();
  const records: AdvisoryRecord[] = [];
  const skipped: ParseProblem[] = [];
  for await (const x of parseDebianTrackerJson(input, { ...options, stats })) {
    if (isParseProblem(x)) skipped.push(x);
    else records.push(x);
  }
  return { records, skipped, stats };
}

function toReadable(input: TrackerJsonInput): Readable {
  if (typeof input === 'string' || input instanceof Uint8Array) return Readable.from([input]);
  if (input instanceof Readable) return input;
  if (isIterable(input)) return Readable.from(input);
  // An old-style NodeJS.ReadableStream that is not a Readable.
  return new Readable({ read() {} }).wrap(input);
}

function isIterable(x: unknown): x is AsyncIterable<unknown> | Iterable<unknown> {
  return typeof x === 'object' && x !== null && (Symbol.asyncIterator in x || Symbol.iterator in x);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function optionalString(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/**
 * Converts one top-level entry (a source package and its issues). Pure; exported for tests and for callers that
 * already hold a parsed document.
 */
export function convertTrackerPackage(
  pkg: string,
  issues: unknown,
  where: string,
  stats: DebianTrackerStats = emptyDebianTrackerStats(),
): { records: AdvisoryRecord[]; skipped: ParseProblem[] } {
  const records: AdvisoryRecord[] = [];
  const skipped: ParseProblem[] = [];
  if (pkg.trim() === '' || /\s/.test(pkg)) {
    skipped.push({ skipped: true, reason: `invalid source package name ${JSON.stringify(pkg)}`, where: `${where}: ${JSON.stringify(pkg)}` });
    return { records, skipped };
  }
  if (!isRecord(issues)) {
    skipped.push({ skipped: true, reason: `package entry is ${describeType(issues)}, not an object of issues`, where: `${where}: ${pkg}` });
    return { records, skipped };
  }
  for (const [issueId, issue] of Object.entries(issues)) {
    stats.issues++;
    const at = `${where}: ${pkg}/${issueId}`;
    if (issueId.trim() === '' || /\s/.test(issueId)) {
      skipped.push({ skipped: true, reason: `invalid issue id ${JSON.stringify(issueId)}`, where: at });
      continue;
    }
    if (!isRecord(issue)) {
      skipped.push({ skipped: true, reason: `issue entry is ${describeType(issue)}, not an object`, where: at });
      continue;
    }
    if (!isRecord(issue.releases)) {
      skipped.push({ skipped: true, reason: `"releases" is ${describeType(issue.releases)}, not an object`, where: at });
      continue;
    }
    const affected: AffectedPackage[] = [];
    for (const [codename, release] of Object.entries(issue.releases)) {
      const result = convertRelease(pkg, codename, release);
      if (result.kind === 'affected') affected.push(result.affected);
      else if (result.kind === 'not-affected') stats.notAffected++;
      else if (result.kind === 'ignored') stats.ignoredReleases++;
      else skipped.push({ skipped: true, reason: result.reason, where: `${at}/${codename}` });
    }
    if (affected.length === 0) {
      stats.withoutAffected++;
      continue;
    }
    const record: AdvisoryRecord = {
      id: issueId,
      aliases: [],
      related: [],
      severities: [],
      references: trackerReferences(issueId, issue.debianbug),
      affected,
    };
    const description = optionalString(issue.description)?.trim();
    if (description) {
      record.summary = firstLine(description);
      record.details = description;
    }
    records.push(record);
  }
  return { records, skipped };
}

type ReleaseResult =
  | { kind: 'affected'; affected: AffectedPackage }
  | { kind: 'not-affected' }
  | { kind: 'ignored' }
  | { kind: 'problem'; reason: string };

function convertRelease(pkg: string, codename: string, release: unknown): ReleaseResult {
  if (codename === 'experimental') return { kind: 'ignored' };
  const ecosystem = debianEcosystem(codename);
  if (ecosystem === undefined) return { kind: 'problem', reason: `unknown release codename ${JSON.stringify(codename)}` };
  if (!isRecord(release)) return { kind: 'problem', reason: `release entry is ${describeType(release)}, not an object` };

  const status = release.status;
  const urgency = optionalString(release.urgency);
  const base: AffectedPackage = { ecosystem, name: pkg, ranges: [], versions: [] };
  if (urgency !== undefined && urgency.trim() !== '') base.severity = debianUrgencyAssessment(urgency);

  if (status === 'resolved') {
    const fixed = release.fixed_version;
    if (typeof fixed !== 'string' || fixed.trim() === '') {
      return { kind: 'problem', reason: 'status "resolved" without a fixed_version' };
    }
    if (fixed.trim() === '0') return { kind: 'not-affected' };
    base.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: fixed.trim() }] }];
    base.fixState = 'fixed';
    return { kind: 'affected', affected: base };
  }

  if (status === 'open' || status === 'undetermined') {
    base.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }];
    const nodsa = optionalString(release.nodsa)?.trim();
    const reason = optionalString(release.nodsa_reason)?.trim();
    if (status === 'undetermined') {
      base.fixState = 'not-fixed';
      base.note = 'undetermined: the Debian security team has not yet determined whether this release is affected';
    } else if (nodsa !== undefined || (reason !== undefined && reason !== '')) {
      base.fixState = 'wont-fix';
      const label = reason ? reason : 'no-dsa';
      base.note = nodsa ? `${label}: ${nodsa}` : label;
    } else if (urgency !== undefined && normalizeUrgency(urgency) === 'end-of-life') {
      base.fixState = 'wont-fix';
      base.note = 'end-of-life: the package is no longer supported with security updates in this release';
    } else {
      base.fixState = 'not-fixed';
    }
    return { kind: 'affected', affected: base };
  }

  return { kind: 'problem', reason: `unknown status ${JSON.stringify(status)}` };
}

function trackerReferences(issueId: string, debianbug: unknown): Reference[] {
  const refs: Reference[] = [{ type: 'ADVISORY', url: TRACKER_URL + encodeURIComponent(issueId) }];
  if (typeof debianbug === 'number' && Number.isInteger(debianbug) && debianbug > 0) {
    refs.push({ type: 'REPORT', url: `https://bugs.debian.org/${debianbug}` });
  }
  return refs;
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return (nl === -1 ? text : text.slice(0, nl)).trim();
}

function describeType(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (x === undefined) return 'missing';
  return `a ${typeof x}`;
}
