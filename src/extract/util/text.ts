const decoder = new TextDecoder('utf-8', { fatal: false });

/** Decodes file bytes as UTF-8, dropping a byte-order mark. */
export function decodeText(content: Uint8Array): string {
  const text = decoder.decode(content);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Basename of a forward-slash path. */
export function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}
