import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ParseError } from '../../core/errors.js';
import type { ScanReport } from '../../core/report.js';
import type { ImportFormat } from '../../import/index.js';
import { importReport } from '../../import/index.js';
import { REPORT_SCHEMA } from '../../report/schema.js';
import { fingerprintOf } from '../store/rows.js';
import type { JsonShapeLimits } from './prescan.js';
import { checkJsonShape } from './prescan.js';

/**
 * Ingestion validation, bounded in time and memory whatever the body: a linear shape check (depth, array
 * and string lengths) before JSON.parse, schema validation that stops at the first error (Ajv's allErrors
 * costs grow quadratically with the number of errors), then a check that the store can hold every value.
 */

export const INGEST_LIMITS: JsonShapeLimits = { maxDepth: 32, maxArrayItems: 200_000, maxStringLength: 256 * 1024 };

/** Longest indexed value (UTF-8 bytes): PostgreSQL b-tree entries must stay under ~2.7 kB. */
export const MAX_KEY_BYTES = 1000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * The report schema as the server applies it: unknown properties accepted (a newer scanner may add fields;
 * minor schema versions are additive) and every array capped.
 */
function ingestSchema(node: Json, maxItems: number): Json {
  if (Array.isArray(node)) return node.map((n) => ingestSchema(n, maxItems));
  if (node === null || typeof node !== 'object') return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = ingestSchema(v, maxItems);
  }
  if (out.type === 'array' && out.maxItems === undefined) out.maxItems = maxItems;
  return out;
}

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: false, strict: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    // Its own Ajv instance: the $id cannot collide with the scanner's validator of the same schema.
    validator = ajv.compile(ingestSchema(REPORT_SCHEMA as Json, INGEST_LIMITS.maxArrayItems) as object);
  }
  return validator;
}

/** Compiles the validator now (at start-up) rather than on the first upload. */
export function warmValidator(): void {
  compiled();
}

export type ParseOutcome = { ok: true; report: ScanReport } | { ok: false; message: string; details: string[] };

/**
 * What an upload is accepted as: a Bulwark report as sent, or another scanner's report (Trivy, Grype,
 * Dependency-Check, osv-scanner, GitLab, govulncheck, npm audit, CycloneDX) converted to one — `converted` is
 * then the Bulwark report to queue in its place, with `tool.importedFrom` naming the scanner.
 */
export type AcceptOutcome = { ok: true; converted?: string } | { ok: false; message: string; details: string[] };

/** In `u` mode a surrogate pair is one code point, so this matches unpaired surrogates only. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Strings the store cannot keep as they are: NUL (PostgreSQL text refuses it) and unpaired surrogates (not UTF-8). */
function badString(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

function findBadString(v: unknown, at: string): string | undefined {
  if (typeof v === 'string') {
    const why = badString(v);
    return why ? `${at || '/'} ${why}` : undefined;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = findBadString(v[i], `${at}/${i}`);
      if (r) return r;
    }
    return undefined;
  }
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const kw = badString(k);
      if (kw) return `${at}/ a property name ${kw}`;
      const r = findBadString(x, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (r) return r;
    }
  }
  return undefined;
}

function tooLong(s: string): boolean {
  return Buffer.byteLength(s, 'utf8') > MAX_KEY_BYTES;
}

/** Values the store indexes must fit an index entry. */
function findOversizedKey(report: ScanReport): string | undefined {
  for (const [i, p] of report.packages.entries()) {
    if (tooLong(p.purl) || tooLong(p.name)) return `/packages/${i} purl or name is longer than ${MAX_KEY_BYTES} bytes`;
  }
  for (const [i, f] of report.findings.entries()) {
    if (tooLong(f.id) || tooLong(f.package.purl) || tooLong(f.package.name) || f.aliases.some(tooLong)) {
      return `/findings/${i} id, alias, package name or purl is longer than ${MAX_KEY_BYTES} bytes`;
    }
    if (Buffer.byteLength(fingerprintOf(f.id, f.package.purl), 'utf8') > 2 * MAX_KEY_BYTES + 1) return `/findings/${i} id + purl too long`;
  }
  return undefined;
}

/**
 * Parses and validates an uploaded report. Everything refused here is refused before the upload is
 * acknowledged, so nothing the store would later fail on is ever queued.
 */
export function parseReport(raw: string): ParseOutcome {
  const shape = checkJsonShape(raw, INGEST_LIMITS);
  if (shape) return { ok: false, message: `the body exceeds a limit: ${shape}`, details: [] };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    return { ok: false, message: `the body is not JSON: ${e instanceof Error ? e.message : String(e)}`, details: [] };
  }
  return validateParsed(value);
}

/** A JSON value written by Bulwark itself (the report schema fixes tool.name). */
function isBulwarkReport(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const tool = (value as { tool?: unknown }).tool;
  return tool !== null && typeof tool === 'object' && (tool as { name?: unknown }).name === 'bulwark';
}

/**
 * Accepts an upload: a Bulwark report is validated as it is; anything else is read as another scanner's
 * report (detected from the content, or `format` when the uploader names it) and the converted report is
 * validated the same way. A body that is neither is refused with the importer's reason; nothing is queued.
 */
export function acceptReport(bytes: Uint8Array, format?: ImportFormat): AcceptOutcome {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const json = raw.trimStart().startsWith('<') ? undefined : raw;
  if (json !== undefined) {
    const shape = checkJsonShape(json, INGEST_LIMITS);
    if (shape) return { ok: false, message: `the body exceeds a limit: ${shape}`, details: [] };
  }
  if (format === undefined && json !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      value = undefined; // a JSON stream (govulncheck) or not JSON: the importer says which
    }
    if (isBulwarkReport(value)) {
      const r = validateParsed(value);
      return r.ok ? { ok: true } : r;
    }
  }
  let imported: ScanReport;
  try {
    imported = importReport(bytes, { filename: 'the body', format });
  } catch (e) {
    if (e instanceof ParseError) {
      return { ok: false, message: `the body is neither a Bulwark report nor a report Bulwark imports: ${e.message.replace(/^the body: /, '')}`, details: e.hint ? [e.hint] : [] };
    }
    throw e;
  }
  const converted = JSON.stringify(imported);
  const r = validateParsed(JSON.parse(converted));
  return r.ok ? { ok: true, converted } : r;
}

/** Schema and store checks of a parsed body (also run by the worker before it stores a queued report). */
export function validateParsed(value: unknown): ParseOutcome {
  const validate = compiled();
  if (!validate(value)) {
    const details = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    return { ok: false, message: 'the body is not a valid Bulwark scan report', details };
  }
  const bad = findBadString(value, '');
  if (bad) return { ok: false, message: 'the report holds a value the store cannot keep', details: [bad] };
  const report = value as ScanReport;
  const oversized = findOversizedKey(report);
  if (oversized) return { ok: false, message: 'the report holds a value the store cannot index', details: [oversized] };
  return { ok: true, report };
}
