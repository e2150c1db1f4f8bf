const decoder = new TextDecoder('utf-8', { fatal: false });

/** Decodes file bytes as UTF-8, dropping a byte-order mark. */
export function decodeText(content: Uint8Array): string {
  const text = decoder.decode(content);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Maps offsets to line numbers quickly for many look-ups in one file.
 * Build once per file, then call `line(offset)`.
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
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

/** Basename of a forward-slash path. */
export function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}
