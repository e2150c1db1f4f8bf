import { parse } from 'smol-toml';
import { FormatError } from './error.js';

export type TomlTable = Record<string, unknown>;

export function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Parses TOML; syntax errors become TomlSyntaxError (the adapter adds the path). */
export function parseToml(text: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (e) {
    throw new FormatError(`invalid TOML: ${(e as Error).message.split('\n')[0] ?? ''}`);
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
