/**
 * Bundler lockfile (Gemfile.lock, gems.locked) → records. Pure: knows nothing of purls.
 *
 * Layout: top-level sections at column 0 (GEM, GIT, PATH, PLUGIN SOURCE, PLATFORMS, DEPENDENCIES,
 * RUBY VERSION, BUNDLED WITH, CHECKSUMS). Source sections carry `  specs:` followed by gems at four
 * spaces (`    name (version[-platform])`) and their requirements at six. DEPENDENCIES lists the
 * direct gems at two spaces (`  name (constraint)`, `  name!` when pinned to a git/path source).
 */

export type GemSource = 'GEM' | 'GIT' | 'PATH' | 'PLUGIN SOURCE';

export interface GemSpec {
  name: string;
  /** Version with any platform suffix removed ("1.13.6-x86_64-linux" → "1.13.6"). */
  version: string;
  /** Platform suffix when written ("x86_64-linux"). */
  platform?: string;
  source: GemSource;
  line: number;
}

export interface GemfileLock {
  specs: GemSpec[];
  /** Names listed under DEPENDENCIES. */
  direct: Set<string>;
  /** Whether any known section header was seen at all. */
  recognized: boolean;
  /** Lines inside `specs:` that did not look like `name (version)`. */
  skipped: { line: number; text: string }[];
}

const SOURCES = new Set<string>(['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE']);
const KNOWN = new Set<string>([...SOURCES, 'PLATFORMS', 'DEPENDENCIES', 'RUBY VERSION', 'BUNDLED WITH', 'CHECKSUMS']);

export function parseGemfileLock(text: string): GemfileLock {
  const out: GemfileLock = { specs: [], direct: new Set(), recognized: false, skipped: [] };
  let section = '';
  let inSpecs = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const indent = raw.length - raw.trimStart().length;
    if (indent === 0) {
      section = raw.trim();
      inSpecs = false;
      if (KNOWN.has(section)) out.recognized = true;
      continue;
    }
    if (SOURCES.has(section)) {
      if (indent === 2) {
        inSpecs = raw.trim() === 'specs:';
        continue;
      }
      if (inSpecs && indent === 4) {
        const m = /^(\S+) \(([^)\s]+)\)$/.exec(raw.trim());
        if (!m || m[1] === undefined || m[2] === undefined) {
          out.skipped.push({ line: i + 1, text: raw.trim() });
          continue;
        }
        const dash = m[2].indexOf('-');
        const spec: GemSpec = {
          name: m[1],
          version: dash < 0 ? m[2] : m[2].slice(0, dash),
          source: section as GemSource,
          line: i + 1,
        };
        if (dash >= 0) spec.platform = m[2].slice(dash + 1);
        out.specs.push(spec);
      }
      continue;
    }
    if (section === 'DEPENDENCIES' && indent === 2) {
      const name = raw.trim().split(/\s+/)[0]?.replace(/!$/, '');
      if (name) out.direct.add(name);
    }
  }
  return out;
}
