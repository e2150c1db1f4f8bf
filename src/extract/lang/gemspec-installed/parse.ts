/**
 * Installed gem specifications (`…/specifications/<name>-<version>.gemspec`) → records, read
 * statically: no Ruby is run. RubyGems writes these stubs itself (`Gem::Specification#to_ruby`),
 * so the shape is regular: `s.name = "rake".freeze`, `s.version = "13.0.6"`, where `s` is the block
 * variable of `Gem::Specification.new do |s|`.
 */

export interface GemspecRecord {
  name: string;
  version: string;
  nameLine: number;
  /** Set when the version is an expression we cannot evaluate statically. */
  unresolvedVersion?: string;
}

const STRING = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')`;

export function parseGemspec(text: string): GemspecRecord | undefined {
  const block = /Gem::Specification\.new\s*(?:\([^)]*\)\s*)?(?:do|\{)\s*\|\s*(\w+)\s*\|/.exec(text);
  const v = block?.[1] ?? '\\w+';
  const name = new RegExp(String.raw`^[ \t]*${v}\.name\s*=\s*${STRING}`, 'm').exec(text);
  if (!name) return undefined;
  const nameValue = name[1] ?? name[2] ?? '';
  const nameLine = text.slice(0, name.index).split('\n').length;
  const lit = new RegExp(String.raw`^[ \t]*${v}\.version\s*=\s*${STRING}`, 'm').exec(text);
  if (lit) return { name: nameValue, version: lit[1] ?? lit[2] ?? '', nameLine };
  // `s.version = Gem::Version.new("1.2.3")` is still a literal.
  const wrapped = new RegExp(String.raw`^[ \t]*${v}\.version\s*=\s*Gem::Version\.new\(\s*${STRING}\s*\)`, 'm').exec(text);
  if (wrapped) return { name: nameValue, version: wrapped[1] ?? wrapped[2] ?? '', nameLine };
  const expr = new RegExp(String.raw`^[ \t]*${v}\.version\s*=\s*(.+)$`, 'm').exec(text);
  return { name: nameValue, version: '', nameLine, unresolvedVersion: expr?.[1]?.trim() ?? '(no version)' };
}

/** `rake-13.0.6.gemspec` → { name: 'rake', version: '13.0.6' } (the version is the part after the last '-' that starts with a digit). */
export function nameVersionFromFileName(file: string): { name: string; version: string } | undefined {
  const m = /^(.+)-(\d[^-]*(?:-[^-]+)?)\.gemspec$/.exec(file);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { name: m[1], version: m[2] };
}
