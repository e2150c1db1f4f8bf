/** Limits on the shape of a JSON body, checked in one linear pass before it is parsed. */
export interface JsonShapeLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Most elements in one array. */
  maxArrayItems: number;
  /** Longest string (in UTF-16 code units of the raw text, escapes included). */
  maxStringLength: number;
}

/**
 * Checks nesting depth, array lengths and string lengths of a JSON text without parsing it: one pass, constant
 * work per character, memory proportional to the depth. Returns a message for the first limit exceeded, or
 * undefined. Syntax errors are left to JSON.parse (this pass only has to be right for valid JSON).
 */
export function checkJsonShape(text: string, limits: JsonShapeLimits): string | undefined {
  // Per open container: the number of elements seen so far (arrays) or -1 (objects).
  const counts: number[] = [];
  // Whether the current array has a value since its last comma (or its start).
  let pendingValue = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      if (i - start - 1 > limits.maxStringLength) return `a string is longer than ${limits.maxStringLength} characters (at offset ${start})`;
      pendingValue = true;
      i++;
      continue;
    }
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (counts.length >= limits.maxDepth) return `nesting deeper than ${limits.maxDepth} levels (at offset ${i})`;
      counts.push(c === 0x5b ? 0 : -1);
      pendingValue = false;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      const top = counts.pop();
      if (top !== undefined && top >= 0 && pendingValue && top + 1 > limits.maxArrayItems) return `an array has more than ${limits.maxArrayItems} items (at offset ${i})`;
      pendingValue = true;
    } else if (c === 0x2c /* , */) {
      const top = counts.length - 1;
      const count = counts[top];
      if (count !== undefined && count >= 0) {
        const next = count + 1;
        if (next > limits.maxArrayItems) return `an array has more than ${limits.maxArrayItems} items (at offset ${i})`;
        counts[top] = next;
      }
      pendingValue = false;
    } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x3a /* : */) {
      pendingValue = true;
    }
    i++;
  }
  return undefined;
}
