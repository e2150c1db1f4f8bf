import fs from 'node:fs';
import path from 'node:path';
import { ParseError } from '../core/errors.js';
import type { SuppressionRule } from './suppress.js';

/**
 * `.bulwarkignore`: one vulnerability id (or alias) per line, optionally followed by
 * `exp:YYYY-MM-DD`; `#` starts a comment, which becomes the reason when it is on the same line.
 *
 *     GHSA-jf85-cpcp-j695 exp:2026-01-31  # no user input reaches lodash.merge
 *     CVE-2021-23337
 */
export function parseIgnoreFile(text: string, file: string): SuppressionRule[] {
  const rules: SuppressionRule[] = [];
  const name = path.basename(file);
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const comment = hash >= 0 ? raw.slice(hash + 1).trim() : '';
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    const id = parts[0]!;
    let expires: string | undefined;
    for (const p of parts.slice(1)) {
      const m = /^exp:(\d{4}-\d{2}-\d{2})$/.exec(p);
      if (!m) throw new ParseError(file, `line ${i + 1}: expected "<id> [exp:YYYY-MM-DD]", found ${JSON.stringify(p)}`);
      expires = m[1];
    }
    rules.push({ id, reason: comment || `listed in ${name}`, by: `${name}:${i + 1}`, ...(expires ? { expires } : {}) });
  });
  return rules;
}

export function loadIgnoreFile(file: string): SuppressionRule[] {
  return parseIgnoreFile(fs.readFileSync(file, 'utf8'), file);
}
