/**
 * NuGet `packages.config` → records. Pure.
 * `<packages><package id="X" version="1.2.3" targetFramework="net45" developmentDependency="true"/></packages>`
 */
import { attr, children, localName, parseXml } from '../../formats/xml.js';
import { FormatError } from '../../formats/error.js';

export interface PackagesConfigEntry {
  id: string;
  version: string;
  dev: boolean;
  line?: number;
}

export function parsePackagesConfig(text: string): { entries: PackagesConfigEntry[]; dropped: string[] } {
  const root = parseXml(text);
  if (localName(root) !== 'packages') throw new FormatError(`root element is <${root.name}>, not <packages>`);
  const entries: PackagesConfigEntry[] = [];
  const dropped: string[] = [];
  for (const el of children(root, 'package')) {
    const id = attr(el, 'id')?.trim();
    const version = attr(el, 'version')?.trim();
    if (!id || !version) {
      dropped.push(`<package> at line ${el.line ?? '?'} without id or version`);
      continue;
    }
    const e: PackagesConfigEntry = { id, version, dev: attr(el, 'developmentDependency')?.trim().toLowerCase() === 'true' };
    if (el.line !== undefined) e.line = el.line;
    entries.push(e);
  }
  return { entries, dropped };
}
