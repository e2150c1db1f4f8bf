import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Policy } from '../../policy/decide.js';
import { DEFAULT_GATE } from '../../policy/gate.js';
import type { ResolvedProfile } from '../../policy/profile.js';
import { mergeGate, profileRules } from '../../policy/profile.js';
import { openProfileRepo, projectNames, resolveRepoProfile } from '../../policy/profile-repo.js';

/** The server's default when no profile repository is configured: the CLI's default gate, no exceptions. */
export const DEFAULT_POLICY: Policy = { gate: DEFAULT_GATE, rules: [] };

/** The same policy the CLI builds (src/policy/load.ts) from a profile, without command-line flags. */
export function policyOf(profile: ResolvedProfile): Policy {
  return { gate: mergeGate(DEFAULT_GATE, profile.gate, {}), rules: profileRules(profile), profile: profile.name };
}

function hashTree(dir: string): string {
  const h = crypto.createHash('sha256');
  const files: string[] = [];
  for (const f of ['defaults.yaml', 'defaults.yml']) if (fs.existsSync(path.join(dir, f))) files.push(f);
  for (const name of projectNames(dir)) {
    for (const ext of ['yaml', 'yml']) {
      const rel = path.join('projects', `${name}.${ext}`);
      if (fs.existsSync(path.join(dir, rel))) files.push(rel);
    }
  }
  for (const f of files.sort()) h.update(f).update('\u0000').update(fs.readFileSync(path.join(dir, f))).update('\u0000');
  return h.digest('hex');
}

export interface ProfileSnapshot {
  hash: string;
  defaults: Policy | undefined;
  projects: Map<string, Policy>;
}

/**
 * Reads a profile repository (a directory or a git URL, cloned shallowly) into policies per project, with the
 * CLI's rules (src/policy). A repository with an invalid file throws, naming the file: the caller keeps the
 * policies it had (never fails open to "no exceptions, no gate").
 */
export function readProfileRepo(spec: string): ProfileSnapshot {
  const repo = openProfileRepo(spec);
  try {
    const hash = hashTree(repo.dir);
    const hasDefaults = ['defaults.yaml', 'defaults.yml'].some((f) => fs.existsSync(path.join(repo.dir, f)));
    const defaults = hasDefaults ? policyOf(resolveRepoProfile(repo, undefined)) : undefined;
    const projects = new Map<string, Policy>();
    for (const name of projectNames(repo.dir)) projects.set(name, policyOf(resolveRepoProfile(repo, name)));
    return { hash, defaults, projects };
  } finally {
    repo.cleanup();
  }
}

/** The policies the server decides with; replaced as a whole on each successful sync. */
export class ProfileSet {
  private snapshot: ProfileSnapshot | undefined;

  constructor(readonly spec: string | undefined) {}

  get hash(): string | undefined {
    return this.snapshot?.hash;
  }

  /** Syncs from the repository; returns whether anything changed. */
  sync(): boolean {
    if (this.spec === undefined) return false;
    const next = readProfileRepo(this.spec);
    const changed = next.hash !== this.snapshot?.hash;
    this.snapshot = next;
    return changed;
  }

  policyFor(project: string): Policy {
    return this.snapshot?.projects.get(project) ?? this.snapshot?.defaults ?? DEFAULT_POLICY;
  }
}
