/**
 * The extractor registry: one explicit list, grouped by ecosystem, with no import side effects. Order is fixed
 * (it is the order in which extractors see a file, and their ids form the layer-cache key).
 *
 * - LANGUAGE_EXTRACTORS: lockfiles, manifests, installed trees and binaries of application ecosystems
 *   (what a source-tree scan runs);
 * - OS_EXTRACTORS: package databases of operating systems (dpkg, apk, rpm);
 * - DEFAULT_EXTRACTORS: both, for images and root filesystems.
 */
import type { Extractor } from './types.js';
import { baseName } from './util/text.js';
import { apkExtractor } from './os/apk/index.js';
import { dpkgExtractor } from './os/dpkg/index.js';
import { rpmExtractor } from './os/rpm/index.js';
import { bunLockExtractor } from './lang/bun-lock/index.js';
import { cargoAuditableExtractor } from './lang/cargo-auditable/index.js';
import { cargoLockExtractor } from './lang/cargo-lock/index.js';
import { cocoapodsPodfileLockExtractor } from './lang/cocoapods-podfile-lock/index.js';
import { composerInstalledExtractor } from './lang/composer-installed/index.js';
import { composerLockExtractor } from './lang/composer-lock/index.js';
import { conanLockExtractor } from './lang/conan-lock/index.js';
import { condaEnvironmentExtractor } from './lang/conda-environment/index.js';
import { condaMetaExtractor } from './lang/conda-meta/index.js';
import { dotnetDepsJsonExtractor } from './lang/dotnet-deps-json/index.js';
import { dotnetDirectoryPackagesExtractor } from './lang/dotnet-directory-packages/index.js';
import { dotnetPackagesConfigExtractor } from './lang/dotnet-packages-config/index.js';
import { dotnetPackagesLockExtractor } from './lang/dotnet-packages-lock/index.js';
import { gemfileLockExtractor } from './lang/gemfile-lock/index.js';
import { gemspecInstalledExtractor } from './lang/gemspec-installed/index.js';
import { goBinaryExtractor } from './lang/go-binary/index.js';
import { goDepExtractor } from './lang/go-dep/index.js';
import { goModExtractor } from './lang/go-mod/index.js';
import { goSumExtractor } from './lang/go-sum/index.js';
import { goVendorExtractor } from './lang/go-vendor/index.js';
import { gradleLockfileExtractor } from './lang/gradle-lockfile/index.js';
import { javaArchiveExtractor } from './lang/java-archive/index.js';
import { mavenPomExtractor } from './lang/maven-pom/index.js';
import { mixLockExtractor } from './lang/mix-lock/index.js';
import { npmInstalledExtractor } from './lang/npm-installed/index.js';
import { npmLockExtractor } from './lang/npm-lock/index.js';
import { pnpmLockExtractor } from './lang/pnpm-lock/index.js';
import { pubspecLockExtractor } from './lang/pubspec-lock/index.js';
import { pythonInstalledExtractor } from './lang/python-installed/index.js';
import { pythonPdmLockExtractor } from './lang/python-pdm-lock/index.js';
import { pythonPipfileLockExtractor } from './lang/python-pipfile-lock/index.js';
import { pythonPoetryLockExtractor } from './lang/python-poetry-lock/index.js';
import { pythonPylockExtractor } from './lang/python-pylock/index.js';
import { pythonRequirementsExtractor } from './lang/python-requirements/index.js';
import { pythonUvLockExtractor } from './lang/python-uv-lock/index.js';
import { juliaManifestExtractor } from './lang/julia-manifest/index.js';
import { sbtLockfileExtractor } from './lang/sbt-lockfile/index.js';
import { swiftPackageResolvedExtractor } from './lang/swift-package-resolved/index.js';
import { yarnLockExtractor } from './lang/yarn-lock/index.js';

/** The language extractors of one ecosystem (OSV ecosystem name). */
export interface EcosystemExtractors {
  ecosystem: string;
  extractors: readonly Extractor[];
}

export const LANGUAGE_EXTRACTORS_BY_ECOSYSTEM: readonly EcosystemExtractors[] = [
  { ecosystem: 'npm', extractors: [npmLockExtractor, npmInstalledExtractor, yarnLockExtractor, pnpmLockExtractor, bunLockExtractor] },
  { ecosystem: 'Go', extractors: [goModExtractor, goSumExtractor, goVendorExtractor, goDepExtractor, goBinaryExtractor] },
  {
    ecosystem: 'PyPI',
    extractors: [
      pythonRequirementsExtractor,
      pythonPipfileLockExtractor,
      pythonPoetryLockExtractor,
      pythonUvLockExtractor,
      pythonPdmLockExtractor,
      pythonPylockExtractor,
      pythonInstalledExtractor,
    ],
  },
  { ecosystem: 'crates.io', extractors: [cargoLockExtractor, cargoAuditableExtractor] },
  { ecosystem: 'RubyGems', extractors: [gemfileLockExtractor, gemspecInstalledExtractor] },
  { ecosystem: 'Packagist', extractors: [composerLockExtractor, composerInstalledExtractor] },
  { ecosystem: 'Maven', extractors: [mavenPomExtractor, gradleLockfileExtractor, sbtLockfileExtractor, javaArchiveExtractor] },
  {
    ecosystem: 'NuGet',
    extractors: [dotnetPackagesLockExtractor, dotnetPackagesConfigExtractor, dotnetDepsJsonExtractor, dotnetDirectoryPackagesExtractor],
  },
  { ecosystem: 'Pub', extractors: [pubspecLockExtractor] },
  { ecosystem: 'Hex', extractors: [mixLockExtractor] },
  { ecosystem: 'Julia', extractors: [juliaManifestExtractor] },
  { ecosystem: 'SwiftURL', extractors: [swiftPackageResolvedExtractor] },
  { ecosystem: 'CocoaPods', extractors: [cocoapodsPodfileLockExtractor] },
  { ecosystem: 'ConanCenter', extractors: [conanLockExtractor] },
  { ecosystem: 'conda', extractors: [condaEnvironmentExtractor, condaMetaExtractor] },
];

export const LANGUAGE_EXTRACTORS: readonly Extractor[] = LANGUAGE_EXTRACTORS_BY_ECOSYSTEM.flatMap((g) => g.extractors);
export const OS_EXTRACTORS: readonly Extractor[] = [dpkgExtractor, apkExtractor, rpmExtractor];
export const DEFAULT_EXTRACTORS: readonly Extractor[] = [...OS_EXTRACTORS, ...LANGUAGE_EXTRACTORS];

/** The language extractors of the given ecosystems, in registry order. */
export function extractorsFor(...ecosystems: string[]): Extractor[] {
  return LANGUAGE_EXTRACTORS_BY_ECOSYSTEM.filter((g) => ecosystems.includes(g.ecosystem)).flatMap((g) => g.extractors);
}

/** "id@version" of every extractor: part of the layer-cache key, so a changed extractor invalidates cached layers. */
export function extractorFingerprint(extractors: readonly Extractor[]): string {
  return extractors.map((e) => `${e.id}@${e.version}`).join(',');
}

/**
 * Which extractors want a path, as `extractors.filter((e) => e.required(path))` answers it (same extractors, same
 * order), without asking every extractor about every path: those with `candidates` are asked only when the base name
 * or a suffix matches. An image layer has thousands of entries and the registry about forty extractors.
 */
export function extractorIndex(extractors: readonly Extractor[]): { wanted(path: string): Extractor[]; wantsAny(path: string): boolean } {
  const byBase = new Map<string, number[]>();
  const bySuffix: { suffix: string; index: number }[] = [];
  const always: number[] = [];
  extractors.forEach((e, i) => {
    if (!e.candidates) {
      always.push(i);
      return;
    }
    for (const b of e.candidates.baseNames ?? []) {
      const list = byBase.get(b);
      if (list) list.push(i);
      else byBase.set(b, [i]);
    }
    for (const suffix of e.candidates.suffixes ?? []) bySuffix.push({ suffix, index: i });
  });
  const candidates = (path: string): number[] => {
    const out = [...always];
    const named = byBase.get(baseName(path));
    if (named) out.push(...named);
    for (const s of bySuffix) if (path.endsWith(s.suffix)) out.push(s.index);
    return out;
  };
  return {
    wanted(path) {
      const idx = candidates(path);
      idx.sort((a, b) => a - b);
      const out: Extractor[] = [];
      let last = -1;
      for (const i of idx) {
        if (i === last) continue;
        last = i;
        const e = extractors[i] as Extractor;
        if (e.required(path)) out.push(e);
      }
      return out;
    },
    wantsAny(path) {
      for (const i of always) if ((extractors[i] as Extractor).required(path)) return true;
      const named = byBase.get(baseName(path));
      if (named) for (const i of named) if ((extractors[i] as Extractor).required(path)) return true;
      for (const s of bySuffix) if (path.endsWith(s.suffix) && (extractors[s.index] as Extractor).required(path)) return true;
      return false;
    },
  };
}
