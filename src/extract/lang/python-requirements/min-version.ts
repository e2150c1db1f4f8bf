/**
 * The least version a requirement's specifier admits, for requirements that pin nothing, when the specifier keeps
 * the version inside one release series: `~=1.1` → 1.1, `==2.0.*` → 2.0.0, `==1.*,>=1.2` → 1.2 (the highest lower
 * bound). This is trivy's "minimum version" reading of a range (pkg/dependency/parser/python/pip, useMinVersion),
 * limited to bounded ranges: an open `>=4.1.1` alone says nothing about which series is installed (trivy reports
 * 4.1.1; we do not). Undefined when there is no such bound (`>=2.0`, `>2.0`, `<3`, a bare name), when a wildcard is
 * not the last part (`==5.*.*`, `==4.*.1`), or when the floor is itself excluded (`~=1.0,!=1.0`): no guess then.
 */
import { comparePep440, parsePep440 } from '../../../versioning/schemes/pep440.js';

export function minimumVersion(specifier: string): string | undefined {
  if (specifier.trim() === '') return undefined;
  let floor: string | undefined;
  let bounded = false;
  const excluded: string[] = [];
  for (const clause of specifier.split(',')) {
    const m = /^\s*(~=|>=|==|!=)\s*(\S+)\s*$/.exec(clause);
    if (!m) continue; // <, <=, > bound nothing from below; === is a pin, handled by the parser
    const op = m[1];
    let v = m[2] ?? '';
    if (op === '!=') {
      excluded.push(v);
      continue;
    }
    if (op === '==') {
      if (!/^[^*]+\.\*$/.test(v)) return undefined; // an exact == is a pin, not a floor; a mid wildcard is invalid
      v = `${v.slice(0, -2)}.0`;
    }
    if (op !== '>=') bounded = true;
    const parsed = parsePep440(v);
    if (typeof parsed === 'string') return undefined;
    if (floor === undefined) floor = v;
    else {
      const cur = parsePep440(floor);
      if (typeof cur !== 'string' && comparePep440(parsed, cur) > 0) floor = v;
    }
  }
  if (floor === undefined || !bounded) return undefined;
  const f = parsePep440(floor);
  if (typeof f === 'string') return undefined;
  for (const x of excluded) {
    const p = parsePep440(x.replace(/\.\*$/, ''));
    if (typeof p === 'string') continue;
    if (x.endsWith('.*') ? floor.startsWith(`${x.slice(0, -2)}.`) || floor === x.slice(0, -2) : comparePep440(p, f) === 0) return undefined;
  }
  return floor;
}
