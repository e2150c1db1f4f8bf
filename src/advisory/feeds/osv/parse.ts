import type {
  AdvisoryRecord,
  AffectedPackage,
  AffectedRange,
  RangeEvent,
  RangeType,
  Reference,
  SeverityAssessment,
} from '../../../core/advisory.js';
import { ecosystemBase } from '../../../core/ecosystem.js';
import { assessCvss } from '../../cvss.js';
import { ghsaSeverity } from '../../severity.js';

/** Why one OSV entry was not accepted. */
export class OsvRecordError extends Error {}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];
}

const RANGE_TYPES = new Set<RangeType>(['SEMVER', 'ECOSYSTEM', 'GIT']);
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function parseEvents(v: unknown): RangeEvent[] {
  if (!Array.isArray(v)) return [];
  const out: RangeEvent[] = [];
  for (const e of v) {
    if (!isObject(e)) continue;
    for (const k of EVENT_KEYS) {
      const val = e[k];
      if (typeof val === 'string' && val.length > 0) {
        out.push({ [k]: val });
        break;
      }
    }
  }
  return out;
}

function parseRanges(v: unknown): AffectedRange[] {
  if (!Array.isArray(v)) return [];
  const out: AffectedRange[] = [];
  for (const r of v) {
    if (!isObject(r)) continue;
    const type = r.type;
    if (typeof type !== 'string' || !RANGE_TYPES.has(type as RangeType)) continue;
    const range: AffectedRange = { type: type as RangeType, events: parseEvents(r.events) };
    const repo = str(r.repo);
    if (repo) range.repo = repo;
    out.push(range);
  }
  return out;
}

function parseSeverityList(v: unknown, source: string): SeverityAssessment[] {
  if (!Array.isArray(v)) return [];
  const out: SeverityAssessment[] = [];
  for (const s of v) {
    if (!isObject(s)) continue;
    const type = s.type;
    const score = str(s.score);
    if (!score) continue;
    if (type === 'CVSS_V2' || type === 'CVSS_V3' || type === 'CVSS_V4') {
      const a = assessCvss(type, score, source);
      if (a) out.push(a);
    }
  }
  return out;
}

function databaseSeverity(v: unknown, source: string): SeverityAssessment | undefined {
  if (!isObject(v)) return undefined;
  const text = str(v.severity);
  if (!text) return undefined;
  const severity = ghsaSeverity(text);
  return severity ? { type: 'GHSA', severity, source } : undefined;
}

export interface OsvParseOptions {
  /** The feed's ecosystem ("npm", "Debian"): affected entries of other ecosystems are left to their own feeds. */
  ecosystem: string;
  /** Recorded as the source of each severity ("osv:npm"). */
  source: string;
}

/**
 * Turns one OSV JSON document into an AdvisoryRecord. Throws OsvRecordError for a document that is
 * not an OSV entry (no id, no modified, affected not a list). Unusable parts (a bad range, an unscorable
 * vector) are dropped, not fatal.
 */
export function parseOsvRecord(doc: unknown, opts: OsvParseOptions): AdvisoryRecord {
  if (!isObject(doc)) throw new OsvRecordError('not a JSON object');
  const id = str(doc.id);
  if (!id) throw new OsvRecordError('missing "id"');
  if (typeof doc.modified !== 'string') throw new OsvRecordError(`${id}: missing "modified"`);
  if (doc.affected !== undefined && !Array.isArray(doc.affected)) throw new OsvRecordError(`${id}: "affected" is not a list`);

  const severities = parseSeverityList(doc.severity, opts.source);
  const ghsa = databaseSeverity(doc.database_specific, id.startsWith('GHSA-') ? 'ghsa' : opts.source);
  if (ghsa) severities.push(ghsa);

  const affected: AffectedPackage[] = [];
  for (const a of (doc.affected as unknown[] | undefined) ?? []) {
    if (!isObject(a) || !isObject(a.package)) continue;
    const ecosystem = str(a.package.ecosystem);
    const name = str(a.package.name);
    if (!ecosystem || !name) continue;
    if (ecosystemBase(ecosystem) !== opts.ecosystem) continue;
    const entry: AffectedPackage = {
      ecosystem,
      name,
      ranges: parseRanges(a.ranges),
      versions: strings(a.versions),
    };
    const purl = str(a.package.purl);
    if (purl) entry.purl = purl;
    const pkgSeverity =
      parseSeverityList(a.severity, opts.source)[0] ??
      databaseSeverity(a.ecosystem_specific, opts.source) ??
      databaseSeverity(a.database_specific, opts.source);
    if (pkgSeverity) entry.severity = pkgSeverity;
    affected.push(entry);
  }

  const references: Reference[] = [];
  if (Array.isArray(doc.references)) {
    for (const r of doc.references) {
      if (isObject(r) && typeof r.url === 'string') references.push({ type: str(r.type) ?? 'WEB', url: r.url });
    }
  }

  const record: AdvisoryRecord = {
    id,
    aliases: strings(doc.aliases),
    related: strings(doc.related),
    severities,
    references,
    affected,
  };
  const summary = str(doc.summary);
  if (summary) record.summary = summary;
  const details = str(doc.details);
  if (details) record.details = details;
  const published = str(doc.published);
  if (published) record.published = published;
  record.modified = doc.modified;
  const withdrawn = str(doc.withdrawn);
  if (withdrawn) record.withdrawn = withdrawn;
  return record;
}
