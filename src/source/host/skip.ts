import type Picomatch from 'picomatch';
import { UsageError } from '../../core/errors.js';
import { lazyRequire } from '../../util/lazy.js';

// picomatch is loaded when a scan has skip patterns
const picomatch = lazyRequire<typeof Picomatch>('picomatch');

/**
 * `--skip-dirs` / `--skip-files` as Trivy has them: globs (`**`, `*`, `?`, `[...]`, `{a,b}`) matched against the
 * path relative to the scan root. A leading `./` or `/` anchors the pattern at the root, so `/usr/share/**` works for
 * `rootfs:/` and `./testdata` for a directory. A skipped directory is not descended into; a pattern without a slash also matches
 * the name at any depth, as in Trivy (`--skip-dirs node_modules`).
 */
export interface SkipRules {
  dir(rel: string): boolean;
  file(rel: string): boolean;
}

function normalizePattern(flag: string, p: string): string {
  const s = p.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (s === '') throw new UsageError(`${flag} ${JSON.stringify(p)}: an empty pattern would skip everything`, 'give a glob such as "**/testdata" or "vendor/**"');
  return s;
}

function matcher(flag: string, patterns: readonly string[]): (rel: string) => boolean {
  if (patterns.length === 0) return () => false;
  const globs = patterns.map((p) => normalizePattern(flag, p));
  // `./x` and `/x` are anchored at the root; a bare `x` (no slash at all) matches a name at any depth.
  const anchored = patterns.map((p) => /^\s*(\.\/|\/)/.test(p.replace(/\\/g, '/')));
  let full: (s: string) => boolean;
  try {
    full = picomatch()(globs, { dot: true, basename: false });
  } catch (e) {
    throw new UsageError(`${flag}: invalid glob: ${(e as Error).message}`);
  }
  const bare = globs.filter((g, i) => !g.includes('/') && !anchored[i]);
  const byName = bare.length > 0 ? picomatch()(bare, { dot: true }) : undefined;
  return (rel) => full(rel) || (byName !== undefined && byName(rel.slice(rel.lastIndexOf('/') + 1)));
}

/** Splits comma-separated values too (`--skip-dirs a,b` as well as repeated flags), keeping `{a,b}` braces whole. */
export function splitList(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    let depth = 0;
    let cur = '';
    for (const ch of v) {
      if (ch === '{') depth++;
      else if (ch === '}') depth = Math.max(0, depth - 1);
      if (ch === ',' && depth === 0) {
        if (cur.trim()) out.push(cur.trim());
        cur = '';
      } else cur += ch;
    }
    if (cur.trim()) out.push(cur.trim());
  }
  return out;
}

export function skipRules(skipDirs: readonly string[] = [], skipFiles: readonly string[] = []): SkipRules {
  return { dir: matcher('--skip-dirs', skipDirs), file: matcher('--skip-files', skipFiles) };
}

export const NO_SKIP: SkipRules = { dir: () => false, file: () => false };
