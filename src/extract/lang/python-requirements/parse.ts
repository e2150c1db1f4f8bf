/**
 * pip requirements files. Pure: text in, typed lines out; includes (`-r`, `-c`) are returned as
 * references for the adapter to follow.
 *
 * Handles line continuations, comments (`#` at the start or after whitespace), per-requirement options
 * (`--hash=...`), extras, environment markers, `===` arbitrary equality, and reports editable installs,
 * URLs and `name @ url` references as non-registry requirements.
 */
export type RequirementLine =
  | { kind: 'requirement'; name: string; extras: string[]; specifier: string; pin: string | undefined; marker: string | undefined; line: number }
  | { kind: 'include'; constraint: boolean; target: string; line: number }
  | { kind: 'reference'; text: string; name: string | undefined; line: number }
  | { kind: 'invalid'; text: string; line: number };

/** Options pip accepts in requirements files that take a value but say nothing about packages. */
const VALUE_OPTIONS = /^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-binary|--only-binary|--prefer-binary|--use-feature|--pre|--require-hashes|--no-index|--config-settings|--global-option)\b/;

export function parseRequirements(text: string): RequirementLine[] {
  const out: RequirementLine[] = [];
  const physical = text.split(/\r?\n/);
  let buf = '';
  let start = 0;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i] ?? '';
    if (buf === '') start = i + 1;
    if (/(^|[^\\])\\$/.test(raw)) {
      buf += `${raw.slice(0, -1)} `;
      continue;
    }
    buf += raw;
    const logical = stripComment(buf);
    buf = '';
    if (logical === '') continue;
    out.push(parseLine(logical, start));
  }
  if (stripComment(buf) !== '') out.push(parseLine(stripComment(buf), start));
  return out;
}

/** pip strips `#` comments that start a line or follow whitespace; we also accept `pkg==1.0#note` when no URL is involved. */
function stripComment(line: string): string {
  const s = line.replace(/(^|\s)#.*$/, '').trim();
  return s.includes('://') ? s : s.replace(/#.*$/, '').trim();
}

function parseLine(line: string, lineNo: number): RequirementLine {
  let m = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^\s-]))(\S+)/.exec(line);
  if (m) return { kind: 'include', constraint: m[1] === '-c' || m[1] === '--constraint', target: m[2] ?? '', line: lineNo };
  if (/^(-e|--editable)\b/.test(line)) {
    const target = line.replace(/^(-e|--editable)\s*=?\s*/, '');
    return { kind: 'reference', text: target, name: /#egg=([A-Za-z0-9._-]+)/.exec(target)?.[1], line: lineNo };
  }
  if (VALUE_OPTIONS.test(line) || line.startsWith('-')) return { kind: 'reference', text: line, name: undefined, line: lineNo };
  const direct = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@\s*\S/.exec(line);
  if (direct) return { kind: 'reference', text: line, name: direct[1], line: lineNo };
  if (/^([a-z][a-z0-9+.-]*:\/\/|git\+|hg\+|svn\+|bzr\+|\.{0,2}\/|[A-Za-z]:\\)/i.test(line) || /\.(whl|tar\.gz|zip|tgz)$/i.test(line)) {
    return { kind: 'reference', text: line, name: /#egg=([A-Za-z0-9._-]+)/.exec(line)?.[1], line: lineNo };
  }
  // strip per-requirement options (--hash=..., --config-settings ...)
  const req = line.replace(/\s+--?[a-z][a-z-]*(?:[=\s]\S+)?/gi, '').trim();
  m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(req);
  if (!m) return { kind: 'invalid', text: line, line: lineNo };
  const name = m[1] ?? '';
  const extras = (m[2] ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
  let rest = (m[3] ?? '').trim();
  let marker: string | undefined;
  const semi = rest.indexOf(';');
  if (semi >= 0) {
    marker = rest.slice(semi + 1).trim();
    rest = rest.slice(0, semi).trim();
  }
  if (rest.startsWith('@')) return { kind: 'reference', text: line, name, line: lineNo };
  // a specifier is a comma-separated list of (operator, version) clauses, optionally in parentheses
  const spec = rest.replace(/^\((.*)\)$/, '$1').trim();
  const clauses = spec === '' ? [] : spec.split(',').map((c) => c.trim());
  let pin: string | undefined;
  for (const c of clauses) {
    const cm = /^(===|==|!=|~=|<=|>=|<|>)\s*([^\s]+)$/.exec(c);
    if (!cm) return { kind: 'invalid', text: line, line: lineNo };
    const version = (cm[2] ?? '').replace(/^['"]|['"]$/g, '');
    if ((cm[1] === '==' && !version.includes('*')) || cm[1] === '===') pin = version;
  }
  return { kind: 'requirement', name, extras, specifier: clauses.join(','), pin, marker, line: lineNo };
}
