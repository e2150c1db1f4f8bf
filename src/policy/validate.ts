import fs from 'node:fs';
import path from 'node:path';
import type { ParsedProfileFile, ProfileProblem } from './profile.js';
import { parseProfileFile, positionOf } from './profile.js';
import { dayOf } from './suppress.js';

/** What `profile validate` asks the advisory database: the advisories known by an id or alias. */
export interface AdvisoryLookup {
  advisories(idOrAlias: string): readonly unknown[];
}

export interface ValidateOptions {
  now: Date;
  /** The advisory database, or null when there is none (the unknown-id check is skipped with a warning). */
  db: AdvisoryLookup | null;
  /** Exceptions expiring within this many days are warned about (default 30). */
  soonDays?: number;
  /** How file paths are shown. */
  display?: (file: string) => string;
  /** Check this one profile file (absolute path) instead of the repository's defaults.yaml and projects/*.yaml. */
  file?: string;
}

export interface ValidateResult {
  files: string[];
  problems: ProfileProblem[];
  errors: number;
  warnings: number;
}

function ruleKey(x: { id: string; package?: string; path?: string }): string {
  return `${x.id.toUpperCase()}\u0000${x.package ?? ''}\u0000${x.path ?? ''}`;
}

function at(parsed: ParsedProfileFile, keys: (string | number)[]): { line?: number; column?: number } {
  const pos = positionOf(parsed, keys);
  return pos ? { line: pos.line, column: pos.column } : {};
}

/**
 * Checks a profile repository (what its own CI runs), or one profile file with `opts.file`: every file against the schema, `extends`
 * targets, duplicate exceptions, expired exceptions (errors) and ones expiring within 30 days
 * (warnings), and vulnerability ids the advisory database does not know (warnings).
 */
export function validateProfileRepo(dir: string, opts: ValidateOptions): ValidateResult {
  const display = opts.display ?? ((f: string) => path.relative(dir, f).split(path.sep).join('/'));
  const soon = opts.soonDays ?? 30;
  const today = dayOf(opts.now);
  const horizon = dayOf(new Date(opts.now.getTime() + soon * 86_400_000));
  const files: string[] = opts.file ? [opts.file] : [];
  if (!opts.file) for (const f of ['defaults.yaml', 'defaults.yml']) if (fs.existsSync(path.join(dir, f))) files.push(path.join(dir, f));
  const projects = path.join(dir, 'projects');
  if (!opts.file && fs.existsSync(projects)) {
    for (const f of fs.readdirSync(projects).sort()) if (/\.ya?ml$/.test(f)) files.push(path.join(projects, f));
  }
  const problems: ProfileProblem[] = [];
  if (files.length === 0) {
    problems.push({ severity: 'error', file: display(path.join(dir, 'defaults.yaml')), message: 'no defaults.yaml and no projects/*.yaml: not a profile repository' });
  }
  const parsed = files.map((f) => parseProfileFile(f, display(f)));
  for (const p of parsed) problems.push(...p.problems);
  const defaults = parsed.find((p) => /^defaults\.ya?ml$/.test(path.basename(p.file)) && path.dirname(p.file) === dir);
  const defaultKeys = new Map<string, number>();
  (defaults?.data?.exceptions ?? []).forEach((x, i) => defaultKeys.set(ruleKey(x), i));
  if (!opts.db) {
    problems.push({ severity: 'warning', file: (opts.file ? display(opts.file) : display(dir)) || '.', message: 'no advisory database: vulnerability ids were not checked (run `bulwark db update` first)' });
  }
  const unknownCache = new Map<string, boolean>();
  for (const p of parsed) {
    const d = p.data;
    if (!d) continue;
    if (d.extends !== undefined && !fs.existsSync(path.resolve(path.dirname(p.file), d.extends))) {
      problems.push({ severity: 'error', file: p.display, ...at(p, ['extends']), message: `extends ${JSON.stringify(d.extends)}: no such file` });
    }
    const seen = new Map<string, number>();
    (d.exceptions ?? []).forEach((x, i) => {
      const key = ruleKey(x);
      const pos = at(p, ['exceptions', i]);
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({ severity: 'error', file: p.display, ...pos, message: `exceptions[${i}] duplicates exceptions[${first}] (${x.id}${x.package ? ` ${x.package}` : ''}${x.path ? ` ${x.path}` : ''})` });
      } else seen.set(key, i);
      if (p !== defaults && defaultKeys.has(key)) {
        problems.push({ severity: 'warning', file: p.display, ...pos, message: `exceptions[${i}] repeats defaults exceptions[${defaultKeys.get(key)}] (${x.id})` });
      }
      if (x.expires < today) {
        problems.push({ severity: 'error', file: p.display, ...at(p, ['exceptions', i, 'expires']), message: `exception for ${x.id} expired on ${x.expires}` });
      } else if (x.expires <= horizon) {
        problems.push({ severity: 'warning', file: p.display, ...at(p, ['exceptions', i, 'expires']), message: `exception for ${x.id} expires on ${x.expires} (within ${soon} days)` });
      }
      if (opts.db) {
        const id = x.id.trim();
        let unknown = unknownCache.get(id.toUpperCase());
        if (unknown === undefined) {
          unknown = opts.db.advisories(id).length === 0 && opts.db.advisories(id.toUpperCase()).length === 0;
          unknownCache.set(id.toUpperCase(), unknown);
        }
        if (unknown) problems.push({ severity: 'warning', file: p.display, ...at(p, ['exceptions', i, 'id']), message: `unknown vulnerability id ${x.id}: no advisory in the database has it as id or alias` });
      }
    });
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  return {
    files: parsed.map((p) => p.display),
    problems,
    errors: problems.filter((p) => p.severity === 'error').length,
    warnings: problems.filter((p) => p.severity === 'warning').length,
  };
}
