/**
 * os/dpkg: installed Debian/Ubuntu packages from the dpkg status database.
 * Emits ecosystem "deb" and a distro-less purl; assignDistro() adds the release for the whole image.
 */
import type { Package } from '../../../core/package.js';
import type { Extractor } from '../../types.js';
import { normalizePath, osDatabaseExtractor, pathIs } from '../common.js';
import { osPurl } from '../../../core/purl.js';
import { parseDpkgStatus, type DpkgRecord } from './parse.js';

export const DPKG_EXTRACTOR_ID = 'os/dpkg';

/** `var/lib/dpkg/status`, or a file directly under `var/lib/dpkg/status.d/` other than `*.md5sums`. */
export function dpkgRequired(path: string): boolean {
  const p = normalizePath(path);
  if (pathIs(p, 'var/lib/dpkg/status')) return true;
  const slash = p.lastIndexOf('/');
  if (slash < 0) return false;
  const dir = p.slice(0, slash);
  const base = p.slice(slash + 1);
  if (!(dir === 'var/lib/dpkg/status.d' || dir.endsWith('/var/lib/dpkg/status.d'))) return false;
  return base !== '' && !base.startsWith('.') && !base.endsWith('.md5sums');
}

export function dpkgRecordToPackage(r: DpkgRecord, path: string): Package {
  const pkg: Package = {
    ecosystem: 'deb',
    name: r.name,
    version: r.version,
    purl: osPurl('deb', r.name, r.version, { arch: r.arch }),
    locations: [{ path, line: r.line }],
    foundBy: DPKG_EXTRACTOR_ID,
    source: { name: r.sourceName, version: r.sourceVersion },
  };
  if (r.parsed.epoch !== undefined) pkg.epoch = r.parsed.epoch;
  if (r.parsed.revision !== undefined) pkg.release = r.parsed.revision;
  if (r.arch !== undefined) pkg.arch = r.arch;
  return pkg;
}

export const dpkgExtractor: Extractor = osDatabaseExtractor({ id: DPKG_EXTRACTOR_ID, required: dpkgRequired, parse: parseDpkgStatus, toPackage: dpkgRecordToPackage });

