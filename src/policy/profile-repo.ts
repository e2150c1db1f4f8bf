import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BulwarkError, FileError, UsageError } from '../core/errors.js';
import type { ResolvedProfile } from './profile.js';
import { resolveProfile } from './profile.js';

/**
 * A profile repository: a directory (or a git repository, cloned shallowly into a temp dir) with
 * `defaults.yaml` and `projects/<name>.yaml`. A project's profile applies over the defaults.
 */
export interface ProfileRepo {
  /** Local directory holding the files. */
  dir: string;
  /** What the user named (directory or URL). */
  source: string;
  /** Removes the clone, if one was made. */
  cleanup(): void;
}

function isGitUrl(spec: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) || /^[^/\\]+@[^:]+:/.test(spec);
}

/** A bare repository (HEAD, objects/, refs/ at its top) or a work tree's .git directory. */
function isBareRepo(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'objects')) && fs.existsSync(path.join(dir, 'refs'));
}

function clone(url: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-profiles-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--depth', '1', url, dir], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new BulwarkError('BULWARK_E_FETCH', `cannot clone the profile repository ${url}${stderr ? `: ${stderr.split('\n').pop()}` : ''}`, {
      hint: 'give a directory or a git URL the machine can clone (git must be installed)',
    });
  }
  return dir;
}

export function openProfileRepo(spec: string): ProfileRepo {
  if (!isGitUrl(spec)) {
    const dir = path.resolve(spec);
    if (!fs.existsSync(dir)) throw new FileError(dir, 'no such profile repository', { hint: 'give a directory with defaults.yaml and projects/, or a git URL' });
    if (!fs.statSync(dir).isDirectory()) throw new FileError(dir, 'a profile repository is a directory or a git URL');
    if (isBareRepo(dir) && !fs.existsSync(path.join(dir, 'defaults.yaml'))) {
      const cloned = clone(pathToFileURL(dir).href);
      return { dir: cloned, source: spec, cleanup: () => fs.rmSync(cloned, { recursive: true, force: true }) };
    }
    return { dir, source: spec, cleanup: () => {} };
  }
  const cloned = clone(spec);
  return { dir: cloned, source: spec, cleanup: () => fs.rmSync(cloned, { recursive: true, force: true }) };
}

export function projectNames(dir: string): string[] {
  const projects = path.join(dir, 'projects');
  if (!fs.existsSync(projects)) return [];
  return fs
    .readdirSync(projects)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

function projectFile(dir: string, project: string): string | undefined {
  for (const ext of ['yaml', 'yml']) {
    const f = path.join(dir, 'projects', `${project}.${ext}`);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

/** The project's profile over the repository's defaults (defaults alone without a project). */
export function resolveRepoProfile(repo: ProfileRepo, project: string | undefined): ResolvedProfile {
  if (project !== undefined && !/^[A-Za-z0-9._-]+$/.test(project)) throw new UsageError(`invalid project name ${JSON.stringify(project)}`);
  const defaults = ['defaults.yaml', 'defaults.yml'].map((f) => path.join(repo.dir, f)).find((f) => fs.existsSync(f));
  const display = (f: string): string => {
    const rel = path.relative(repo.dir, f).split(path.sep).join('/');
    return `${repo.source.replace(/\/+$/, '')}/${rel}`;
  };
  if (project === undefined) {
    if (!defaults) throw new FileError(path.join(repo.dir, 'defaults.yaml'), 'the profile repository has no defaults.yaml', { hint: 'give --project <name>' });
    return resolveProfile(defaults, { display });
  }
  const file = projectFile(repo.dir, project);
  if (!file) {
    const known = projectNames(repo.dir);
    throw new UsageError(`no profile for project ${JSON.stringify(project)} in ${repo.source}`, known.length ? `known projects: ${known.join(', ')}` : 'the repository has no projects/<name>.yaml');
  }
  return resolveProfile(file, { display, base: defaults ? [defaults] : [] });
}
