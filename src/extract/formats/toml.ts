import { parse } from 'smol-toml';
import { FormatError, MAX_NESTING, tooDeep } from './error.js';

export type TomlTable = Record<string, unknown>;

export function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Parses TOML; syntax errors and nesting deeper than MAX_NESTING become FormatError (parseFile adds the path). */
export function parseToml(text: string): TomlTable {
  try {
    return parse(text, { maxDepth: MAX_NESTING }) as TomlTable;
  } catch (e) {
    const first = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
    if (/excessively nested|call stack/i.test(first)) throw tooDeep('TOML');
    throw new FormatError(`invalid TOML: ${first}`);
  }
}

/**
 * 1-based line numbers of each `[[name]]` array-of-tables header, in order: the n-th header is the n-th
 * element of the parsed array (smol-toml gives no positions).
 */
export function arrayTableLines(text: string, name: string): number[] {
  const out: number[] = [];
  const re = new RegExp(`^\\s*\\[\\[\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\]\\]\\s*(#.*)?$`);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i] ?? '')) out.push(i + 1);
  return out;
}

export function str(t: TomlTable, k: string): string | undefined {
  const v = t[k];
  return typeof v === 'string' ? v : undefined;
}

export function tables(v: unknown): TomlTable[] {
  return Array.isArray(v) ? v.filter(isTable) : [];
}
