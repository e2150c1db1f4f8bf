/**
 * os/rpm: installed packages from the rpm database, in all three backends (SQLite `rpmdb.sqlite`,
 * NDB `Packages.db`, Berkeley DB `Packages`), under `var/lib/rpm/` or `usr/lib/sysimage/rpm/`.
 * Emits ecosystem "rpm" and a distro-less purl; assignDistro() adds the release for the whole image.
 *
 * Package.version is `[epoch:]version-release`, with the epoch prefix only when it is > 0: the
 * form `rpm -q --qf '%{EPOCHNUM}:%{VERSION}-%{RELEASE}'` prints minus its "0:", and what rpm
 * compares (a missing epoch and epoch 0 compare equal). The purl carries `version-release` and an
 * `epoch` qualifier, as the purl spec defines for rpm.
 */
import type { Package } from '../../../core/package.js';
import type { Extractor } from '../../types.js';
import { normalizePath, osDatabaseExtractor, pathIs } from '../common.js';
import { osPurl } from '../../../core/purl.js';
import { parseRpmDb, type RpmRecord } from './parse.js';

export const RPM_EXTRACTOR_ID = 'os/rpm';

const RPM_DB_PATHS = [
  'var/lib/rpm/Packages',
  'var/lib/rpm/Packages.db',
  'var/lib/rpm/rpmdb.sqlite',
  'usr/lib/sysimage/rpm/Packages',
  'usr/lib/sysimage/rpm/Packages.db',
  'usr/lib/sysimage/rpm/rpmdb.sqlite',
] as const;

export function rpmRequired(path: string): boolean {
  const p = normalizePath(path);
  return RPM_DB_PATHS.some((x) => pathIs(p, x));
}

/** `[epoch:]version-release`, epoch only when > 0. */
export function rpmVersionString(epoch: number | undefined, version: string, release: string): string {
  const vr = release === '' ? version : `${version}-${release}`;
  return epoch !== undefined && epoch > 0 ? `${epoch}:${vr}` : vr;
}

export function rpmRecordToPackage(r: RpmRecord, path: string): Package {
  const version = rpmVersionString(r.epoch, r.version, r.release);
  const pkg: Package = {
    ecosystem: 'rpm',
    name: r.name,
    version,
    purl: osPurl('rpm', r.name, r.release === '' ? r.version : `${r.version}-${r.release}`, {
      arch: r.arch,
      epoch: r.epoch !== undefined && r.epoch > 0 ? String(r.epoch) : undefined,
    }),
    locations: [{ path }],
    foundBy: RPM_EXTRACTOR_ID,
    release: r.release,
  };
  // SOURCERPM carries no epoch; like rpm's own tooling we assume the source shares the binary's.
  if (r.source) pkg.source = { name: r.source.name, version: rpmVersionString(r.epoch, r.source.version, r.source.release) };
  if (r.epoch !== undefined) pkg.epoch = r.epoch;
  if (r.arch !== undefined) pkg.arch = r.arch;
  return pkg;
}

export const rpmExtractor: Extractor = osDatabaseExtractor({ id: RPM_EXTRACTOR_ID, required: rpmRequired, parse: parseRpmDb, toPackage: rpmRecordToPackage });
