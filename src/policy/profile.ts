import fs from 'node:fs';
import path from 'node:path';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type * as Yaml from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import { lazyRequire } from '../util/lazy.js';
import { readPackageJson } from '../util/package-root.js';
import { FileError, ParseError } from '../core/errors.js';
import type { GateOptions } from './gate.js';
import { parseFailOn, parseIncomplete, parseUnknownSeverity } from './gate.js';
import type { SuppressionRule } from './suppress.js';

const ajv2020 = lazyRequire<typeof Ajv2020Module>('ajv/dist/2020.js');
const yaml = lazyRequire<typeof Yaml>('yaml');


/** The committed JSON Schema of security profiles (schemas/profile.schema.json). */
export const PROFILE_SCHEMA = readPackageJson<Record<string, unknown>>('schemas/profile.schema.json');

export interface ProfileException {
  id: string;
  package?: string;
  path?: string;
  reason: string;
  expires: string;
  approvedBy?: string;
}

export interface ProfileDocument {
  extends?: string;
  gate?: { failOn?: string; includeUnfixed?: boolean; excludeDev?: boolean; unknownSeverity?: string; incomplete?: string };
  exceptions?: ProfileException[];
  notify?: unknown[];
}

/** A problem in a profile file, at a line (1-based) when it can be told. */
export interface ProfileProblem {
  severity: 'error' | 'warning';
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export function formatProblem(p: ProfileProblem): string {
  return `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}: ${p.severity}: ${p.message}`;
}

/** One exception with where it was written. */
export interface LocatedException extends ProfileException {
  file: string;
  /** Display name of the file (relative to the repo or working directory). */
  display: string;
  index: number;
  line?: number;
}

export interface ResolvedProfile {
  /** Display names of the files that make it up, base first. */
  files: string[];
  /** Display name of the profile that was asked for (the last file). */
  name: string;
  gate: Partial<GateOptions>;
  exceptions: LocatedException[];
  notify: unknown[];
}

export interface ParsedProfileFile {
  file: string;
  display: string;
  doc: Document;
  lines: LineCounter;
  data: ProfileDocument | undefined;
  problems: ProfileProblem[];
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  if (!validator) validator = new (ajv2020().Ajv2020)({ allErrors: true, strict: false }).compile(PROFILE_SCHEMA);
  return validator;
}

/** Where a YAML path is in the text: the node itself, or the nearest parent that exists. */
export function positionOf(parsed: Pick<ParsedProfileFile, 'doc' | 'lines'>, keys: (string | number)[]): { line: number; column: number } | undefined {
  for (let n = keys.length; n >= 0; n--) {
    const node = (n === 0 ? parsed.doc.contents : parsed.doc.getIn(keys.slice(0, n), true)) as Node | null | undefined;
    const range = node?.range;
    if (range) {
      const pos = parsed.lines.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}

function pathKeys(instancePath: string, doc: Document): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const raw of instancePath.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const parent = keys.length === 0 ? doc.contents : doc.getIn(keys, true);
    keys.push(yaml().isSeq(parent) && /^\d+$/.test(k) ? Number(k) : k);
  }
  return keys;
}

function describeAjvError(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'the profile';
  if (e.keyword === 'additionalProperties') return `${where}: unknown key ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
  if (e.keyword === 'required') return `${where}: missing required key ${JSON.stringify((e.params as { missingProperty: string }).missingProperty)}`;
  if (e.keyword === 'pattern' && e.instancePath.endsWith('/expires')) return `${where}: expected a date YYYY-MM-DD`;
  if (e.keyword === 'enum') return `${where}: ${e.message ?? 'invalid'} (${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).filter((v) => typeof v === 'string' && v === v.toLowerCase()).join(', ')})`;
  return `${where}: ${e.message ?? 'is invalid'}`;
}

function validDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Parses and schema-checks one profile file, collecting problems with their file:line. */
export function parseProfileFile(file: string, display: string = file): ParsedProfileFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new FileError(file, `cannot read the profile: ${(e as Error).message}`, { hint: 'give a profile YAML file' });
  }
  const lines = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems: ProfileProblem[] = [];
  for (const err of doc.errors) {
    // prettyErrors: false leaves linePos unset: the offset is turned into line:column here
    const pos = err.linePos?.[0] ?? (err.pos?.[0] !== undefined ? lines.linePos(err.pos[0]) : undefined);
    problems.push({ severity: 'error', file: display, ...(pos ? { line: pos.line, column: pos.col } : {}), message: `YAML: ${err.message.split('\n')[0]}` });
  }
  if (problems.length > 0) return { file, display, doc, lines, data: undefined, problems };
  const data = (doc.toJS() ?? {}) as unknown;
  const check = validate();
  if (!check(data)) {
    for (const e of check.errors ?? []) {
      if (e.keyword === 'enum' && e.instancePath === '') continue;
      const pos = positionOf({ doc, lines }, pathKeys(e.instancePath, doc));
      problems.push({ severity: 'error', file: display, ...(pos ? { line: pos.line, column: pos.column } : {}), message: describeAjvError(e) });
    }
    return { file, display, doc, lines, data: undefined, problems };
  }
  const profile = data as ProfileDocument;
  (profile.exceptions ?? []).forEach((x, i) => {
    if (!validDate(x.expires)) {
      const pos = positionOf({ doc, lines }, ['exceptions', i, 'expires']);
      problems.push({ severity: 'error', file: display, ...(pos ? { line: pos.line, column: pos.column } : {}), message: `exceptions.${i}.expires: ${x.expires} is not a calendar date` });
    }
  });
  return { file, display, doc, lines, data: problems.length ? undefined : profile, problems };
}

export interface ResolveOptions {
  /** How file paths are shown (in problems and in suppressed.by); default: as given. */
  display?: (file: string) => string;
  /** Profiles applied under this one, base first (a repository's defaults.yaml). */
  base?: string[];
}

/**
 * Loads a profile with everything it extends (and the given base files), merged: gate settings of
 * later files win, exceptions accumulate base first. Throws a ParseError at file:line on the first
 * invalid file.
 */
export function resolveProfile(file: string, opts: ResolveOptions = {}): ResolvedProfile {
  const display = opts.display ?? ((f: string) => f);
  const chain: ParsedProfileFile[] = [];
  const seen = new Set<string>();
  const load = (f: string, via: string[]): void => {
    const full = path.resolve(f);
    if (via.includes(full)) throw new ParseError(display(full), `extends cycle: ${[...via, full].map(display).join(' → ')}`);
    if (seen.has(full)) return;
    const parsed = parseProfileFile(full, display(full));
    const first = parsed.problems.find((p) => p.severity === 'error');
    if (first) throw new ParseError(`${first.file}${first.line ? `:${first.line}${first.column ? `:${first.column}` : ''}` : ''}`, first.message, { hint: 'check the profile against schemas/profile.schema.json (`bulwark profile validate`)' });
    if (parsed.data?.extends) {
      const target = path.resolve(path.dirname(full), parsed.data.extends);
      if (!fs.existsSync(target)) {
        const pos = positionOf(parsed, ['extends']);
        throw new ParseError(`${parsed.display}${pos ? `:${pos.line}` : ''}`, `extends ${JSON.stringify(parsed.data.extends)}: no such file`);
      }
      load(target, [...via, full]);
    }
    seen.add(full);
    chain.push(parsed);
  };
  for (const b of opts.base ?? []) load(b, []);
  load(file, []);
  const gate: Partial<GateOptions> = {};
  const exceptions: LocatedException[] = [];
  const notify: unknown[] = [];
  for (const p of chain) {
    const d = p.data!;
    if (d.gate?.failOn !== undefined) gate.failOn = parseFailOn(d.gate.failOn);
    if (d.gate?.includeUnfixed !== undefined) gate.includeUnfixed = d.gate.includeUnfixed;
    if (d.gate?.excludeDev !== undefined) gate.excludeDev = d.gate.excludeDev;
    if (d.gate?.unknownSeverity !== undefined) gate.unknownSeverity = parseUnknownSeverity(d.gate.unknownSeverity);
    if (d.gate?.incomplete !== undefined) gate.incomplete = parseIncomplete(d.gate.incomplete);
    (d.exceptions ?? []).forEach((x, i) => {
      exceptions.push({ ...x, file: p.file, display: p.display, index: i, line: positionOf(p, ['exceptions', i])?.line });
    });
    if (d.notify) notify.splice(0, notify.length, ...d.notify);
  }
  return { files: chain.map((p) => p.display), name: chain[chain.length - 1]!.display, gate, exceptions, notify };
}

/** The profile's exceptions as suppression rules ("profile:<file>#exceptions[i]"). */
export function profileRules(profile: ResolvedProfile): SuppressionRule[] {
  return profile.exceptions.map((x) => ({
    id: x.id,
    ...(x.package !== undefined ? { package: x.package } : {}),
    ...(x.path !== undefined ? { path: x.path } : {}),
    reason: x.reason,
    expires: x.expires,
    by: `profile:${x.display}#exceptions[${x.index}]`,
    ...(x.approvedBy !== undefined ? { approvedBy: x.approvedBy } : {}),
  }));
}

export type GateKey = keyof GateOptions;

/** The gate a scan runs with: defaults, then the profile, then flags given on the command line. */
export function mergeGate(defaults: GateOptions, profile: Partial<GateOptions> | undefined, cli: Partial<GateOptions>): GateOptions {
  return { ...defaults, ...(profile ?? {}), ...cli };
}
