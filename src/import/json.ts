/** Small typed readers over parsed JSON, so parsers never cast. */
export type Json = Record<string, unknown>;

export function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string with NUL bytes (and what follows them) cut off; scanners copy C strings. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const nul = v.indexOf('\u0000');
  const s = (nul >= 0 ? v.slice(0, nul) : v).trim();
  return s.length > 0 ? s : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A list, treating null/absent as empty (real reports write `null` for empty lists). */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function objs(v: unknown): Json[] {
  return arr(v).filter(isObj);
}

export function strs(v: unknown): string[] {
  return arr(v)
    .map(str)
    .filter((s): s is string => s !== undefined);
}

export function obj(v: unknown): Json {
  return isObj(v) ? v : {};
}
