/**
 * Small text helpers shared by the lang-b extractors: line look-ups in formats whose parser
 * gives no positions (JSON.parse, XML), and the path test for "is this in a bin dir".
 */
import { LineIndex } from '../../util/text.js';

/**
 * Finds needles in order through a text and returns 1-based lines. Each search starts after the
 * previous hit, so repeated keys ("name": ...) resolve to successive entries.
 */
export class LineFinder {
  private readonly index: LineIndex;
  private cursor = 0;
  constructor(private readonly text: string) {
    this.index = new LineIndex(text);
  }

  /** Line of the next occurrence of `needle` at or after the cursor; undefined if absent (cursor unchanged). */
  next(needle: string | RegExp): number | undefined {
    const at = this.find(needle, this.cursor);
    if (at === undefined) return undefined;
    this.cursor = at + 1;
    return this.index.line(at);
  }

  /** Line of the first occurrence anywhere; does not move the cursor. */
  first(needle: string | RegExp, from = 0): number | undefined {
    const at = this.find(needle, from);
    return at === undefined ? undefined : this.index.line(at);
  }

  /**
   * Like `next`, but returns the line of the nearest `{` before the hit: the start of the JSON
   * object holding the matched key.
   */
  nextObjectStart(needle: string | RegExp): number | undefined {
    const at = this.find(needle, this.cursor);
    if (at === undefined) return undefined;
    this.cursor = at + 1;
    const brace = this.text.lastIndexOf('{', at);
    return this.index.line(brace < 0 ? at : brace);
  }

  lineOf(offset: number): number {
    return this.index.line(offset);
  }

  private find(needle: string | RegExp, from: number): number | undefined {
    if (typeof needle === 'string') {
      const at = this.text.indexOf(needle, from);
      return at < 0 ? undefined : at;
    }
    const re = new RegExp(needle.source, needle.flags.includes('g') ? needle.flags : needle.flags + 'g');
    re.lastIndex = from;
    const m = re.exec(this.text);
    return m ? m.index : undefined;
  }
}

/** JSON-quoted form of a string, as it would appear in a JSON file written without escapes of '/'. */
export function jsonQuoted(s: string): string {
  return JSON.stringify(s);
}

/** Describes an unknown thrown value in one line. */
export function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
