/**
 * One page of the NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities):
 *
 *   { "resultsPerPage": 2000, "startIndex": 0, "totalResults": 250000, "format": "NVD_CVE", "version": "2.0",
 *     "timestamp": "…", "vulnerabilities": [ { "cve": { "id", "published", "lastModified", "vulnStatus",
 *       "descriptions": [{lang, value}], "metrics": { "cvssMetricV40" | "cvssMetricV31" | "cvssMetricV30" |
 *       "cvssMetricV2": [{ source, type: Primary|Secondary, cvssData: { version, vectorString, baseScore } }] },
 *       "weaknesses": [{ source, type, description: [{lang, value: "CWE-79"}] }], … } }, … ] }
 *
 * A page of 2,000 records is tens of MB, so it is streamed from a local file: the wrapper is read from the first
 * bytes (or by stream-json's tokens when it is not first), and the records are split out one at a time and each
 * parsed by JSON.parse (split.ts). Memory holds one record.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream';
import parser from 'stream-json/parser.js';
import type { CveMetric, CveRecord, CveWeakness, CvssVersion } from '../../../core/advisory.js';
import { ParseError, describeError } from '../../../core/errors.js';
import { severityFromScore, severityFromV2Score } from '../../../core/severity.js';
import type { CveItem } from '../../store/writer.js';
import { splitNvdRecords } from './split.js';

export interface NvdPageHeader {
  resultsPerPage: number;
  startIndex: number;
  totalResults: number;
  timestamp?: string;
}

export class NvdRecordError extends Error {}

const METRIC_KEYS: Record<string, CvssVersion> = { cvssMetricV40: '4.0', cvssMetricV31: '3.1', cvssMetricV30: '3.0', cvssMetricV2: '2.0' };
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new NvdRecordError(`${what} is not a string`);
  return v;
}

function sourceType(v: unknown, what: string): 'Primary' | 'Secondary' {
  if (v === 'Primary' || v === 'Secondary') return v;
  throw new NvdRecordError(`${what}.type is ${JSON.stringify(v)}, not Primary or Secondary`);
}

function convertMetric(m: unknown, key: string, version: CvssVersion, i: number): CveMetric {
  const what = `metrics.${key}[${i}]`;
  if (!isObject(m) || !isObject(m.cvssData)) throw new NvdRecordError(`${what} has no cvssData`);
  const source = m.source;
  if (typeof source !== 'string' || source === '') throw new NvdRecordError(`${what}.source is missing`);
  const vector = m.cvssData.vectorString;
  const score = m.cvssData.baseScore;
  if (typeof vector !== 'string' || vector === '') throw new NvdRecordError(`${what}.cvssData.vectorString is missing`);
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) {
    throw new NvdRecordError(`${what}.cvssData.baseScore is ${JSON.stringify(score)}, not a score from 0 to 10`);
  }
  const stated = m.cvssData.version;
  if (stated !== undefined && String(stated) !== version) throw new NvdRecordError(`${what}.cvssData.version is ${JSON.stringify(stated)} under ${key}`);
  return {
    version,
    source,
    type: sourceType(m.type, what),
    vector,
    score,
    severity: version === '2.0' ? severityFromV2Score(score) : severityFromScore(score),
  };
}

/** One `vulnerabilities[]` item → the stored CVE record. Throws NvdRecordError naming what is wrong. */
export function convertNvdItem(item: unknown): CveRecord {
  if (!isObject(item) || !isObject(item.cve)) throw new NvdRecordError('not a {"cve": {...}} item');
  const cve = item.cve;
  const id = cve.id;
  if (typeof id !== 'string' || !CVE_ID.test(id)) throw new NvdRecordError(`id ${JSON.stringify(id)} is not a CVE id`);
  const metrics: CveMetric[] = [];
  if (cve.metrics !== undefined) {
    if (!isObject(cve.metrics)) throw new NvdRecordError(`${id}: metrics is not an object`);
    for (const [key, version] of Object.entries(METRIC_KEYS)) {
      const list = cve.metrics[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw new NvdRecordError(`${id}: metrics.${key} is not an array`);
      list.forEach((m, i) => {
        try {
          metrics.push(convertMetric(m, key, version, i));
        } catch (e) {
          throw new NvdRecordError(`${id}: ${(e as Error).message}`);
        }
      });
    }
  }
  const weaknesses: CveWeakness[] = [];
  if (cve.weaknesses !== undefined) {
    if (!Array.isArray(cve.weaknesses)) throw new NvdRecordError(`${id}: weaknesses is not an array`);
    cve.weaknesses.forEach((w: unknown, i) => {
      if (!isObject(w) || typeof w.source !== 'string' || !Array.isArray(w.description)) throw new NvdRecordError(`${id}: weaknesses[${i}] is malformed`);
      const type = sourceType(w.type, `${id}: weaknesses[${i}]`);
      for (const d of w.description) {
        if (isObject(d) && typeof d.value === 'string' && d.value !== '') weaknesses.push({ cwe: d.value, source: w.source, type });
      }
    });
  }
  const rec: CveRecord = { id, metrics, weaknesses };
  const published = optString(cve.published, `${id}: published`);
  const lastModified = optString(cve.lastModified, `${id}: lastModified`);
  const vulnStatus = optString(cve.vulnStatus, `${id}: vulnStatus`);
  if (published) rec.published = published;
  if (lastModified) rec.lastModified = lastModified;
  if (vulnStatus) rec.vulnStatus = vulnStatus;
  if (Array.isArray(cve.descriptions)) {
    const en = cve.descriptions.find((d: unknown) => isObject(d) && d.lang === 'en' && typeof d.value === 'string') as { value: string } | undefined;
    if (en) rec.description = en.value;
  }
  return rec;
}

function nonNegativeInt(v: unknown, key: string, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ParseError(where, `"${key}" is ${JSON.stringify(v)}, not a count`);
  return v;
}

/**
 * The wrapper as it comes first in every API response (`{"resultsPerPage":…,"timestamp":"…","vulnerabilities":[`):
 * read from the first bytes, so the records are not parsed twice. Undefined when the page is laid out otherwise
 * (the streamed read then finds the keys wherever they are).
 */
function headerFromPrefix(file: string): Record<string, unknown> | undefined {
  const fd = fs.openSync(file, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(4096);
    text = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
  const m = /^\s*\{([^{}[\]]*?),?\s*"vulnerabilities"\s*:\s*\[/.exec(text);
  if (!m) return undefined;
  try {
    const top = JSON.parse(`{${m[1]}}`) as unknown;
    // Only a wrapper that is all there before the records stands; otherwise the streamed read finds the keys.
    return isObject(top) && 'format' in top && 'totalResults' in top && 'startIndex' in top ? top : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a page's wrapper (counts, format), streaming past the records when it is not at the start. */
export async function readNvdPageHeader(file: string, where = file): Promise<NvdPageHeader> {
  const top = headerFromPrefix(file) ?? (await streamedTop(file, where));
  if (top.format !== 'NVD_CVE') throw new ParseError(where, `not an NVD CVE API page: "format" is ${JSON.stringify(top.format)}, not "NVD_CVE"`);
  const header: NvdPageHeader = {
    resultsPerPage: nonNegativeInt(top.resultsPerPage, 'resultsPerPage', where),
    startIndex: nonNegativeInt(top.startIndex, 'startIndex', where),
    totalResults: nonNegativeInt(top.totalResults, 'totalResults', where),
  };
  if (typeof top.timestamp === 'string') header.timestamp = top.timestamp;
  return header;
}

/** The top-level scalar keys of a page, wherever they are, from the parser's tokens (the records are not assembled). */
async function streamedTop(file: string, where: string): Promise<Record<string, unknown>> {
  const tokens = parser.asStream({ streamValues: false });
  const source = fs.createReadStream(file);
  pipeline(source, tokens, () => {});
  const top: Record<string, unknown> = {};
  let depth = 0;
  let key: string | undefined;
  try {
    for await (const t of tokens as AsyncIterable<{ name: string; value?: unknown }>) {
      if (t.name === 'startObject' || t.name === 'startArray') {
        if (depth === 0 && t.name === 'startArray') throw new Error('the top level is an array');
        depth++;
        key = undefined;
      } else if (t.name === 'endObject' || t.name === 'endArray') depth--;
      else if (depth === 1 && t.name === 'keyValue') key = String(t.value);
      else if (depth === 1 && key !== undefined) {
        top[key] = t.name === 'numberValue' ? Number(t.value) : t.value;
        key = undefined;
      }
    }
  } catch (e) {
    throw new ParseError(where, `not an NVD CVE API page: ${describeError(e)}`, { hint: 'the download may be truncated, or not JSON (an error page)', cause: e });
  } finally {
    source.destroy();
    tokens.destroy();
  }
  return top;
}

/**
 * Streams a page's records. A record NVD describes in a way this reader does not understand is yielded as
 * skipped (counted, shown by `db status`); a page that is not JSON, or is truncated, throws ParseError naming the file.
 */
export async function* readNvdPageRecords(file: string, where = file): AsyncGenerator<CveItem> {
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let index = 0;
  try {
    const texts = splitNvdRecords(source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await texts.next();
      } catch (e) {
        throw new ParseError(where, `not an NVD CVE API page: ${describeError(e)}`, { hint: 'the download may be truncated, or not JSON', cause: e });
      }
      if (next.done) break;
      const at = index++;
      let doc: unknown;
      try {
        doc = JSON.parse(next.value);
      } catch (e) {
        throw new ParseError(where, `not an NVD CVE API page: vulnerabilities[${at}] is not JSON (${describeError(e)})`, { cause: e });
      }
      try {
        yield convertNvdItem(doc);
      } catch (e) {
        if (!(e instanceof NvdRecordError)) throw e;
        yield { skipped: true, where: `${where}: vulnerabilities[${at}]`, reason: e.message };
      }
    }
  } finally {
    source.destroy();
  }
}
