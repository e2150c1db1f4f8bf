/**
 * Effective-model resolution for pom.xml, limited to what is on disk: parents are followed through
 * `relativePath` (default ../pom.xml) with TreeReader; properties, dependencyManagement and
 * dependencies are inherited; `${...}` is interpolated with Maven's precedence (the child's
 * properties win, `project.*` refers to the child). Remote parents and BOM imports are never
 * fetched: what they would decide is reported as unresolved, with the reason.
 */
import type { TreeReader } from '../../types.js';
import { decodeText } from '../../util/text.js';
import { parsePom } from './parse.js';
import type { PomDependency, PomModel } from './parse.js';

export const MAX_PARENT_DEPTH = 16;

export interface LoadedPom {
  path: string;
  model: PomModel;
}

export interface ResolvedDependency {
  groupId: string;
  artifactId: string;
  /** Resolved version; undefined when it could not be decided. */
  version?: string;
  /** Version as written or managed, before/after interpolation, for messages. */
  rawVersion?: string;
  scope: string;
  optional: boolean;
  /** File and line that declared it (the pom itself or an ancestor). */
  path: string;
  line?: number;
  /** Why the version is not known, when it is not. */
  unresolved?: string;
}

export interface Effective {
  chain: LoadedPom[];
  /** Why the chain stops before the top: a parent that is not on disk. */
  missingParent?: string;
  dependencies: ResolvedDependency[];
  /** BOM imports found in dependencyManagement (interpolated coordinates), which we cannot read. */
  boms: string[];
  problems: string[];
}

/** Normalizes a relative path with '.' and '..' segments; undefined when it escapes the root. */
export function joinPath(dir: string, rel: string): string | undefined {
  const out: string[] = dir === '' ? [] : dir.split('/');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** groupId of a model, inherited from its <parent> when absent. */
function groupIdOf(m: PomModel): string | undefined {
  return m.groupId ?? m.parent?.groupId;
}

export async function loadChain(path: string, model: PomModel, tree: TreeReader): Promise<{ chain: LoadedPom[]; missingParent?: string; problems: string[] }> {
  const chain: LoadedPom[] = [{ path, model }];
  const problems: string[] = [];
  const seen = new Set([path]);
  let cur: LoadedPom = chain[0] as LoadedPom;
  while (cur.model.parent) {
    const parent = cur.model.parent;
    const coords = `${parent.groupId ?? '?'}:${parent.artifactId ?? '?'}:${parent.version ?? '?'}`;
    if (chain.length > MAX_PARENT_DEPTH) return { chain, missingParent: `parent chain deeper than ${MAX_PARENT_DEPTH}`, problems };
    if (parent.relativePath === '') return { chain, missingParent: `parent ${coords} has an empty relativePath (repository only)`, problems };
    let rel = parent.relativePath ?? '../pom.xml';
    if (!rel.endsWith('.xml')) rel = `${rel.replace(/\/+$/, '')}/pom.xml`;
    const target = joinPath(dirOf(cur.path), rel);
    const where = `relativePath ${rel}`;
    if (target === undefined || seen.has(target)) return { chain, missingParent: `parent ${coords} not on disk (${where})`, problems };
    const bytes = await tree.read(target);
    if (!bytes) return { chain, missingParent: `parent ${coords} not on disk (${where})`, problems };
    let pm: PomModel;
    try {
      pm = parsePom(decodeText(bytes));
    } catch (e) {
      problems.push(`parent ${target}: ${e instanceof Error ? e.message : String(e)}`);
      return { chain, missingParent: `parent ${coords} at ${target} could not be parsed`, problems };
    }
    const sameGa = pm.artifactId === parent.artifactId && groupIdOf(pm) === parent.groupId;
    const versionOk = parent.version === undefined || parent.version.includes('${') || (pm.version ?? pm.parent?.version) === parent.version;
    if (!sameGa || !versionOk) {
      return { chain, missingParent: `parent ${coords} not on disk (${target} is ${groupIdOf(pm) ?? '?'}:${pm.artifactId ?? '?'}:${pm.version ?? pm.parent?.version ?? '?'})`, problems };
    }
    seen.add(target);
    cur = { path: target, model: pm };
    chain.push(cur);
  }
  return { chain, problems };
}

/** Properties visible to the child: own properties over the ancestors', and the model's project.* values. */
export function effectiveProperties(chain: LoadedPom[]): Map<string, string> {
  const props = new Map<string, string>();
  for (let i = chain.length - 1; i >= 0; i--) for (const [k, v] of (chain[i] as LoadedPom).model.properties) props.set(k, v);
  const self = (chain[0] as LoadedPom).model;
  const parentModel = chain[1]?.model;
  const groupId = self.groupId ?? self.parent?.groupId;
  const version = self.version ?? self.parent?.version;
  const builtins: Record<string, string | undefined> = {
    'project.groupId': groupId,
    'project.artifactId': self.artifactId,
    'project.version': version,
    'pom.groupId': groupId,
    'pom.artifactId': self.artifactId,
    'pom.version': version,
    groupId,
    artifactId: self.artifactId,
    version,
    'project.parent.groupId': self.parent?.groupId ?? parentModel?.groupId,
    'project.parent.version': self.parent?.version ?? parentModel?.version,
    'project.parent.artifactId': self.parent?.artifactId,
    'parent.groupId': self.parent?.groupId,
    'parent.version': self.parent?.version,
  };
  // Model references (project.*, pom.*) win over user properties of the same name, as in Maven;
  // the bare legacy aliases (version, groupId, ...) only fill gaps.
  for (const [k, v] of Object.entries(builtins)) {
    if (v === undefined) continue;
    if (k.startsWith('project.') || k.startsWith('pom.') || !props.has(k)) props.set(k, v);
  }
  return props;
}

/** Replaces ${name} with properties, recursively (bounded); unknown names are left as written. */
export function interpolate(value: string, props: Map<string, string>): string {
  let out = value;
  for (let i = 0; i < 10 && out.includes('${'); i++) {
    const next = out.replace(/\$\{([^}]+)\}/g, (m, name: string) => props.get(name.trim()) ?? m);
    if (next === out) break;
    out = next;
  }
  return out;
}

const key = (g: string, a: string, type?: string, classifier?: string) => `${g}:${a}:${type ?? 'jar'}:${classifier ?? ''}`;

export function resolveEffective(loaded: { chain: LoadedPom[]; missingParent?: string; problems: string[] }): Effective {
  const { chain } = loaded;
  const props = effectiveProperties(chain);
  const ip = (v: string | undefined) => (v === undefined ? undefined : interpolate(v, props));

  // dependencyManagement: the nearest declaration wins (child over parents).
  const managed = new Map<string, PomDependency>();
  const boms: string[] = [];
  for (const { model } of chain) {
    for (const d of model.dependencyManagement) {
      const g = ip(d.groupId);
      const a = ip(d.artifactId);
      if (!g || !a) continue;
      if (d.scope === 'import' && (d.type ?? 'jar') === 'pom') {
        boms.push(`${g}:${a}:${ip(d.version) ?? '?'}`);
        continue;
      }
      const k = key(g, a, ip(d.type), ip(d.classifier));
      if (!managed.has(k)) managed.set(k, d);
    }
  }

  // dependencies: own first, then inherited (a child's declaration overrides the same key from a parent).
  const out: ResolvedDependency[] = [];
  const declared = new Set<string>();
  for (const { path, model } of chain) {
    for (const d of model.dependencies) {
      const g = ip(d.groupId);
      const a = ip(d.artifactId);
      if (!g || !a || g.includes('${') || a.includes('${')) {
        loaded.problems.push(`${path}${d.line ? ` line ${d.line}` : ''}: dependency without resolvable groupId/artifactId (${d.groupId ?? '?'}:${d.artifactId ?? '?'})`);
        continue;
      }
      const k = key(g, a, ip(d.type), ip(d.classifier));
      if (declared.has(k)) continue;
      declared.add(k);
      const m = managed.get(k);
      const raw = d.version ?? m?.version;
      const version = ip(raw);
      const r: ResolvedDependency = {
        groupId: g,
        artifactId: a,
        scope: ip(d.scope ?? m?.scope) ?? 'compile',
        optional: d.optional === true,
        path,
      };
      if (d.line !== undefined) r.line = d.line;
      if (raw !== undefined) r.rawVersion = raw;
      if (version === undefined || version === '') {
        const why = [boms.length > 0 ? `BOM imports not on disk: ${boms.join(', ')}` : '', loaded.missingParent ?? ''].filter((s) => s !== '');
        r.unresolved = `no version declared or managed on disk${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
      } else if (version.includes('${')) {
        r.rawVersion = version;
        r.unresolved = `version ${version} has unresolved properties${loaded.missingParent ? ` (${loaded.missingParent})` : ''}`;
      } else if (/^[[(]/.test(version) || version.includes(',')) {
        r.rawVersion = version;
        r.unresolved = `version ${version} is a range`;
      } else {
        r.version = version;
      }
      out.push(r);
    }
  }
  const eff: Effective = { chain, dependencies: out, boms, problems: loaded.problems };
  if (loaded.missingParent !== undefined) eff.missingParent = loaded.missingParent;
  return eff;
}
