/**
 * YAML syntax (pnpm-lock.yaml, yarn berry's yarn.lock, pubspec.lock, Podfile.lock), read by the `yaml`
 * package, loaded on first use. Syntax errors and nesting deeper than MAX_NESTING become FormatError.
 *
 * The depth is checked on the text before parsing: the library reports deep flow collections as a stack
 * overflow, and its pretty error messages can exhaust memory on very long lines. Should the check ever miss
 * a shape the library recurses on, its stack overflow still becomes the same FormatError.
 */
import type * as Yaml from 'yaml';
import type { Document, DocumentOptions, LineCounter, ParseOptions, SchemaOptions } from 'yaml';
import { lazyRequire } from '../../util/lazy.js';
import { FormatError, MAX_NESTING, tooDeep } from './error.js';

/** The `yaml` module (isMap, isSeq, isScalar, LineCounter…), loaded on first use. */
export const yaml = lazyRequire<typeof Yaml>('yaml');

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/** Every document of a YAML stream (`---` separated). */
export function parseYamlDocuments(text: string, options: Options = {}): Document.Parsed[] {
  checkYamlNesting(text);
  const docs = withinStack(() => yaml().parseAllDocuments(text, { ...options, prettyErrors: false }));
  if (!Array.isArray(docs)) return [];
  for (const d of docs) if (d.errors.length > 0) throw syntaxError(d.errors[0]?.message);
  return docs;
}

/** A single-document YAML file. */
export function parseYamlDocument(text: string, options: Options = {}): Document.Parsed {
  checkYamlNesting(text);
  const doc = withinStack(() => yaml().parseDocument(text, { ...options, prettyErrors: false }));
  if (doc.errors.length > 0) throw syntaxError(doc.errors[0]?.message);
  return doc;
}

export function newLineCounter(): LineCounter {
  return new (yaml().LineCounter)();
}

/** Runs the library; a stack overflow inside it (RangeError) is the too-deep FormatError. */
function withinStack<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw tooDeep('YAML');
    throw e;
  }
}

function syntaxError(message: string | undefined): FormatError {
  const first = (message ?? '').split('\n')[0] ?? '';
  if (/call stack/i.test(first)) return tooDeep('YAML');
  return new FormatError(`invalid YAML: ${first}`);
}

/**
 * Refuses text whose nesting exceeds MAX_NESTING: block nesting by indentation (and compact `- - ` items),
 * plus flow collections (`[`/`{`) opened where a value starts or inside another flow collection.
 * Quoted strings inside flow collections and comments are skipped. Linear in the text.
 *
 * A flow collection left open ends, as the library's lexer ends it, at the first later line indented no deeper
 * than the content of the line that opened it (a closing `]`/`}` at that indentation excepted) or at a `---` or
 * `...` marker: the library parses what follows as block content, so it is counted as such.
 */
export function checkYamlNesting(text: string): void {
  const indents: number[] = [];
  let flow = 0;
  /** Column where the content of the line that opened the outermost flow collection starts (after any `- `). */
  let flowIndent = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // start of a line
    let col = 0;
    while (i < n && text.charCodeAt(i) === 32) {
      i++;
      col++;
    }
    let c = text.charCodeAt(i);
    const blank = i >= n || c === 10 || c === 13 || c === 35; /* # */
    if (!blank && flow > 0 && flowEndsAt(text, i, col, flowIndent, flow)) flow = 0;
    if (!blank && flow === 0) {
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= col) indents.pop();
      indents.push(col);
      // compact sequence entries on one line: "- - - x"
      while (text.charCodeAt(i) === 45 /* - */ && text.charCodeAt(i + 1) === 32) {
        i += 2;
        col += 2;
        while (text.charCodeAt(i) === 32) {
          i++;
          col++;
        }
        indents.push(col);
      }
      if (indents.length > MAX_NESTING) throw tooDeep('YAML');
    }
    // rest of the line
    let valueStart = true;
    while (i < n) {
      c = text.charCodeAt(i);
      if (c === 10) {
        i++;
        break;
      }
      if (c === 35 /* # */ && (i === 0 || text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) {
        const end = text.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
        break;
      }
      if (flow > 0 && (c === 34 || c === 39)) {
        i = skipQuoted(text, i, c);
        continue;
      }
      if ((c === 91 || c === 123) /* [ { */ && (flow > 0 || valueStart)) {
        if (flow === 0) flowIndent = indents[indents.length - 1] ?? 0;
        flow++;
        if (flow + indents.length > MAX_NESTING) throw tooDeep('YAML');
        i++;
        continue;
      }
      if ((c === 93 || c === 125) /* ] } */ && flow > 0) flow--;
      if (c === 32 || c === 9) {
        i++;
        continue;
      }
      // a value starts after "key: ", "- ", "? " or at the start of the line
      const next = text.charCodeAt(i + 1);
      valueStart = (c === 58 /* : */ || c === 45 /* - */ || c === 63) /* ? */ && (next === 32 || next === 9 || next === 10 || i + 1 >= n);
      i++;
    }
  }
}

/** Whether a line starting at `i` (indented `col`) ends the open flow collections, as the library's lexer decides. */
function flowEndsAt(text: string, i: number, col: number, flowIndent: number, flow: number): boolean {
  if (col === 0 && /^(---|\.\.\.)(\s|$)/.test(text.slice(i, i + 4))) return true;
  if (col > flowIndent) return false;
  const c = text.charCodeAt(i);
  return !(col === flowIndent && flow === 1 && (c === 93 || c === 125)); /* ] } */
}

/** Index after a quoted scalar starting at `i` (or the end of the text when unterminated). */
function skipQuoted(text: string, i: number, quote: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (quote === 34 && c === 92 /* \ */) {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (quote === 39 && text.charCodeAt(j + 1) === 39) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return j;
}
