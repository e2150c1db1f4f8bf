/**
 * sbt dependency lock (`build.sbt.lock`, written by the sbt-dependency-lock plugin) → records. Pure.
 * `{ lockVersion: 1, dependencies: [{ org, name, version, configurations: [...] }] }`.
 */
import { FormatError } from '../../formats/error.js';
import { parseJsonText } from '../../formats/json.js';
import { LineFinder } from '../../formats/lines.js';

export interface SbtDependency {
  org: string;
  name: string;
  version: string;
  configurations: string[];
  line?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function parseSbtLock(text: string): { dependencies: SbtDependency[]; dropped: string[] } {
  const doc = parseJsonText(text);
  if (!isObj(doc)) throw new FormatError('not a JSON object');
  if (doc['lockVersion'] !== 1) throw new FormatError(`lockVersion ${JSON.stringify(doc['lockVersion'])}: only version 1 is known`);
  const raw = doc['dependencies'];
  if (!Array.isArray(raw)) throw new FormatError('"dependencies" is not an array');
  const lines = new LineFinder(text);
  const dependencies: SbtDependency[] = [];
  const dropped: string[] = [];
  raw.forEach((d: unknown, i) => {
    if (!isObj(d)) {
      dropped.push(`dependencies[${i}]: not an object`);
      return;
    }
    const org = str(d['org']);
    const name = str(d['name']);
    const version = str(d['version']);
    if (!org || !name || !version) {
      dropped.push(`dependencies[${i}]: org, name and version are required`);
      return;
    }
    const configurations = Array.isArray(d['configurations']) ? d['configurations'].filter((c): c is string => typeof c === 'string') : [];
    const dep: SbtDependency = { org, name, version, configurations };
    const line = lines.nextObjectStart(new RegExp(`"org"\\s*:\\s*"${escapeRe(org)}"`));
    if (line !== undefined) dep.line = line;
    dependencies.push(dep);
  });
  return { dependencies, dropped };
}
