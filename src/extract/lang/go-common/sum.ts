/**
 * go.sum: `module version[/go.mod] hash` lines. Pure: text in, the highest version of each module out.
 */
import { compareGoVersions } from './version.js';
import { FormatError } from '../../formats/error.js';

export interface GoSumModule {
  module: string;
  version: string;
  line: number;
}

export function parseGoSum(text: string): { modules: GoSumModule[]; dropped: string[] } {
  const best = new Map<string, GoSumModule>();
  const dropped: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]?.includes(':')) {
      dropped.push(`line ${i + 1}: not a go.sum line`);
      continue;
    }
    const module = parts[0];
    const version = parts[1].replace(/\/go\.mod$/, '');
    const prev = best.get(module);
    if (!prev || compareGoVersions(version, prev.version) > 0) best.set(module, { module, version, line: i + 1 });
  }
  if (best.size === 0 && dropped.length > 0) throw new FormatError('no valid go.sum lines');
  return { modules: [...best.values()], dropped };
}
