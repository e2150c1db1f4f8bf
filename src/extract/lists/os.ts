/** The OS package extractors, in a fixed order. No side effects: importing this registers nothing. */
import type { Extractor } from '../types.js';
import { apkExtractor } from '../os/apk/index.js';
import { dpkgExtractor } from '../os/dpkg/index.js';
import { rpmExtractor } from '../os/rpm/index.js';

export const osExtractors: readonly Extractor[] = [dpkgExtractor, apkExtractor, rpmExtractor];
