/**
 * Line look-ups for formats whose parser gives no positions (JSON.parse, XML, TOML), and line splitting for
 * line-oriented formats (dpkg status, apk installed, go.sum, requirements.txt).
 */

/** Splits text into lines, accepting \n and \r\n. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * Maps offsets to line numbers quickly for many look-ups in one file.
 * Build once per file, then call `line(offset)`.
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    // indexOf searches natively: a megabyte lockfile's lines in a few milliseconds, not a loop over every character
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

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
