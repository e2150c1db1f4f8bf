/**
 * go.mod: module, go and toolchain directives, require / replace / exclude (single lines and blocks).
 * Pure: text in, records out. Follows the grammar in the Go modules reference (golang.org/ref/mod#go-mod-file).
 */
import { FormatError } from '../../formats/error.js';
export interface GoRequire {
  module: string;
  version: string;
  indirect: boolean;
  line: number;
}

export interface GoReplace {
  from: string;
  /** Only this version is replaced; undefined = every version. */
  fromVersion: string | undefined;
  to: string;
  /** Undefined when `to` is a local directory. */
  toVersion: string | undefined;
  line: number;
}

export interface GoMod {
  module: string | undefined;
  go: string | undefined;
  toolchain: string | undefined;
  requires: GoRequire[];
  replaces: GoReplace[];
  excludes: { module: string; version: string; line: number }[];
  /** Lines that could not be understood (dropped). */
  dropped: string[];
}

/** Splits a line into tokens, honouring "quoted" and `raw` strings; returns the tokens and the comment. */
function tokenize(line: string): { tokens: string[]; comment: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (/\s/.test(c ?? '')) {
      // any white space, as the token scan below stops at any (\v, \f, U+00A0 too): else it would never advance
      i++;
    } else if (c === '/' && line[i + 1] === '/') {
      return { tokens, comment: line.slice(i + 2).trim() };
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        s += line[j];
        j++;
      }
      if (j >= line.length) throw new FormatError(`unterminated string in ${JSON.stringify(line)}`);
      tokens.push(s);
      i = j + 1;
    } else if (c === '`') {
      const j = line.indexOf('`', i + 1);
      if (j < 0) throw new FormatError(`unterminated raw string in ${JSON.stringify(line)}`);
      tokens.push(line.slice(i + 1, j));
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && !/[\s"`]/.test(line[j] ?? '') && !(line[j] === '/' && line[j + 1] === '/')) j++;
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return { tokens, comment: '' };
}

const VERBS = new Set(['module', 'go', 'toolchain', 'godebug', 'require', 'replace', 'exclude', 'retract', 'tool', 'ignore']);

export function parseGoMod(text: string): GoMod {
  const out: GoMod = { module: undefined, go: undefined, toolchain: undefined, requires: [], replaces: [], excludes: [], dropped: [] };
  const lines = text.split('\n');
  let block: string | undefined;
  let sawDirective = false;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n] ?? '';
    const lineNo = n + 1;
    const { tokens, comment } = tokenize(raw);
    if (tokens.length === 0) continue;
    let verb: string;
    let args: string[];
    if (block !== undefined) {
      if (tokens[0] === ')') {
        block = undefined;
        continue;
      }
      verb = block;
      args = tokens;
    } else {
      verb = tokens[0] ?? '';
      if (!VERBS.has(verb)) throw new FormatError(`line ${lineNo}: unknown directive ${JSON.stringify(verb)}`);
      sawDirective = true;
      if (tokens[1] === '(') {
        block = verb;
        continue;
      }
      args = tokens.slice(1);
    }
    const indirect = /(^|;)\s*indirect\s*(;|$)/.test(comment);
    switch (verb) {
      case 'module':
        out.module = args[0];
        break;
      case 'go':
        out.go = args[0];
        break;
      case 'toolchain':
        out.toolchain = args[0];
        break;
      case 'require':
        if (args.length === 2 && args[0] && args[1]) out.requires.push({ module: args[0], version: args[1], indirect, line: lineNo });
        else out.dropped.push(`line ${lineNo}: malformed require`);
        break;
      case 'exclude':
        if (args.length === 2 && args[0] && args[1]) out.excludes.push({ module: args[0], version: args[1], line: lineNo });
        else out.dropped.push(`line ${lineNo}: malformed exclude`);
        break;
      case 'replace': {
        const arrow = args.indexOf('=>');
        const left = arrow < 0 ? [] : args.slice(0, arrow);
        const right = arrow < 0 ? [] : args.slice(arrow + 1);
        if (arrow < 0 || left.length < 1 || left.length > 2 || right.length < 1 || right.length > 2 || !left[0] || !right[0]) {
          out.dropped.push(`line ${lineNo}: malformed replace`);
          break;
        }
        out.replaces.push({ from: left[0], fromVersion: left[1], to: right[0], toVersion: right[1], line: lineNo });
        break;
      }
      default:
        break; // retract, godebug, tool, ignore: nothing to report
    }
  }
  if (block !== undefined) throw new FormatError(`unterminated ${block} block`);
  if (!sawDirective) throw new FormatError('no directives');
  return out;
}
