import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Policy } from '../../policy/decide.js';
import { DEFAULT_GATE } from '../../policy/gate.js';
import type { ResolvedProfile } from '../../policy/profile.js';
import { mergeGate, profileRules } from '../../policy/profile.js';
import { openProfileRepo, projectNames, resolveRepoProfile } from '../../policy/profile-repo.js';
import type { NotifyRule } from '../notify/routing.js';
import { rulesFromProfile } from '../notify/routing.js';

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
  /**
   * The profiles' `notify:` rules for the notifier: a project's own (resolved) list applies to that project only;
   * the defaults' list to every project without a profile of its own.
   */
  notify: NotifyRule[];
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
    const resolvedDefaults = hasDefaults ? resolveRepoProfile(repo, undefined) : undefined;
    const defaults = resolvedDefaults ? policyOf(resolvedDefaults) : undefined;
    const projects = new Map<string, Policy>();
    const names = projectNames(repo.dir);
    const notify: NotifyRule[] = [];
    for (const name of names) {
      const resolved = resolveRepoProfile(repo, name);
      projects.set(name, policyOf(resolved));
      notify.push(...rulesFromProfile(resolved.notify, resolved.name).map((r) => ({ ...r, projects: [name] })));
    }
    if (resolvedDefaults) {
      notify.push(...rulesFromProfile(resolvedDefaults.notify, resolvedDefaults.name).map((r) => (names.length ? { ...r, exceptProjects: [...names] } : r)));
    }
    return { hash, defaults, projects, notify };
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

  /** The profiles' notification rules (none before the first sync, or without a repository). */
  notifyRules(): NotifyRule[] {
    return this.snapshot?.notify ?? [];
  }

  policyFor(project: string): Policy {
    return this.snapshot?.projects.get(project) ?? this.snapshot?.defaults ?? DEFAULT_POLICY;
  }
}
