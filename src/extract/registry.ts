/**
 * The extractor registry: explicit lists, no import side effects. Groups:
 * - LANGUAGE_EXTRACTORS: lockfiles, manifests, installed trees and binaries of application ecosystems
 *   (what a source-tree scan runs);
 * - OS_EXTRACTORS: package databases of operating systems (dpkg, apk, rpm);
 * - DEFAULT_EXTRACTORS: both, for images and root filesystems.
 */
import type { Extractor } from './types.js';
import { langExtractorsA } from './lists/lang-a.js';
import { langExtractorsB } from './lists/lang-b.js';
import { osExtractors } from './lists/os.js';

export const LANGUAGE_EXTRACTORS: readonly Extractor[] = [...langExtractorsA, ...langExtractorsB];
export const OS_EXTRACTORS: readonly Extractor[] = osExtractors;
export const DEFAULT_EXTRACTORS: readonly Extractor[] = [...OS_EXTRACTORS, ...LANGUAGE_EXTRACTORS];

/** "id@version" of every extractor: part of the layer-cache key, so a changed extractor invalidates cached layers. */
export function extractorFingerprint(extractors: readonly Extractor[]): string {
  return extractors.map((e) => `${e.id}@${e.version}`).join(',');
}
