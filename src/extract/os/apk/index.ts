/**
 * os/apk: installed Alpine (and Wolfi, Chainguard, ...) packages from the apk database.
 * Emits ecosystem "apk" and a distro-less purl; assignDistro() adds the release for the whole image.
 */
import type { Package } from '../../../core/package.js';
import type { Extractor } from '../../types.js';
import { osDatabaseExtractor, pathIs } from '../common.js';
import { osPurl } from '../../../core/purl.js';
import { parseApkInstalled, type ApkRecord } from './parse.js';

export const APK_EXTRACTOR_ID = 'os/apk';

/** `lib/apk/db/installed`, and `usr/lib/apk/db/installed` (apk-tools 3 / usr-merged layouts). */
export function apkRequired(path: string): boolean {
  return pathIs(path, 'lib/apk/db/installed');
}

export function apkRecordToPackage(r: ApkRecord, path: string): Package {
  const pkg: Package = {
    ecosystem: 'apk',
    name: r.name,
    version: r.version,
    purl: osPurl('apk', r.name, r.version, { arch: r.arch }),
    locations: [{ path, line: r.line }],
    foundBy: APK_EXTRACTOR_ID,
    source: { name: r.origin, version: r.version },
  };
  if (r.arch !== undefined) pkg.arch = r.arch;
  return pkg;
}

export const apkExtractor: Extractor = osDatabaseExtractor({ id: APK_EXTRACTOR_ID, required: apkRequired, parse: parseApkInstalled, toPackage: apkRecordToPackage });
