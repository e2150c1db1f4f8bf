import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Policy } from './decide.js';
import type { GateOptions } from './gate.js';
import { DEFAULT_GATE } from './gate.js';
import { loadIgnoreFile } from './ignore-file.js';
import type { ResolvedProfile } from './profile.js';
import { mergeGate, profileRules, resolveProfile } from './profile.js';
import { openProfileRepo, resolveRepoProfile } from './profile-repo.js';
import type { SuppressionRule } from './suppress.js';
import { loadVex } from './vex.js';

/** Where a scan's policy comes from: files named on the command line, and the gate flags given there. */
export interface PolicySources {
  /** The scan target as given: its directory's .bulwarkignore applies unless ignoreFile is set. */
  target: string;
  /** A security profile YAML file. */
  profile?: string;
  /** A profile repository (directory or git URL) with defaults.yaml and projects/<name>.yaml. */
  profileRepo?: string;
  project?: string;
  /** OpenVEX or CycloneDX VEX documents. */
  vex?: readonly string[];
  /** Ignore file (default: .bulwarkignore in the scanned directory, or beside a named lockfile). */
  ignoreFile?: string;
  /** Gate settings given explicitly (command-line flags): they override the profile's. */
  gate: Partial<GateOptions>;
  /** How file paths are shown in `suppressed.by` and in problems. */
  display?: (file: string) => string;
}

function loadProfile(src: PolicySources): ResolvedProfile | undefined {
  if (src.project !== undefined && src.profileRepo === undefined) throw new UsageError('--project needs --profile-repo');
  if (src.profile !== undefined && src.profileRepo !== undefined) throw new UsageError('give --profile or --profile-repo, not both');
  if (src.profile !== undefined) return resolveProfile(src.profile, src.display ? { display: src.display } : {});
  if (src.profileRepo !== undefined) {
    const repo = openProfileRepo(src.profileRepo);
    try {
      return resolveRepoProfile(repo, src.project);
    } finally {
      repo.cleanup();
    }
  }
  return undefined;
}

/** The .bulwarkignore that applies: the scanned directory's, or a named lockfile's directory's. */
function ignoreFileFor(src: PolicySources): string | undefined {
  if (src.ignoreFile !== undefined) return src.ignoreFile;
  const target = src.target;
  if (target.startsWith('sbom:') || /^[a-z]+:\/\//.test(target)) return undefined;
  const raw = path.resolve(target.startsWith('dir:') ? target.slice(4) : target);
  let dir: string;
  try {
    dir = fs.statSync(raw).isDirectory() ? raw : path.dirname(raw);
  } catch {
    return undefined;
  }
  const f = path.join(dir, '.bulwarkignore');
  return fs.existsSync(f) ? f : undefined;
}

/**
 * Reads everything a decision needs (profile, VEX documents, ignore file) and merges the gate: defaults, then
 * the profile, then flags given on the command line. Bad files throw with file:line before the scan starts.
 */
export function loadPolicy(src: PolicySources): Policy {
  const profile = loadProfile(src);
  const rules: SuppressionRule[] = [];
  if (profile) rules.push(...profileRules(profile));
  for (const v of src.vex ?? []) rules.push(...loadVex(v));
  const ignore = ignoreFileFor(src);
  if (ignore) rules.push(...loadIgnoreFile(ignore));
  return {
    gate: mergeGate(DEFAULT_GATE, profile?.gate, src.gate),
    rules,
    ...(profile ? { profile: profile.name } : {}),
  };
}
