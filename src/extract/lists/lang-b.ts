/**
 * Language extractors, group B: Rust, Ruby, PHP, Java, .NET, Dart, Elixir, Swift, CocoaPods, Conan.
 * An explicit list, in a fixed order. No side effects: importing this registers nothing.
 */
import type { Extractor } from '../types.js';
import { cargoAuditableExtractor } from '../lang/cargo-auditable/index.js';
import { cargoLockExtractor } from '../lang/cargo-lock/index.js';
import { cocoapodsPodfileLockExtractor } from '../lang/cocoapods-podfile-lock/index.js';
import { composerInstalledExtractor } from '../lang/composer-installed/index.js';
import { composerLockExtractor } from '../lang/composer-lock/index.js';
import { conanLockExtractor } from '../lang/conan-lock/index.js';
import { dotnetDepsJsonExtractor } from '../lang/dotnet-deps-json/index.js';
import { dotnetDirectoryPackagesExtractor } from '../lang/dotnet-directory-packages/index.js';
import { dotnetPackagesConfigExtractor } from '../lang/dotnet-packages-config/index.js';
import { dotnetPackagesLockExtractor } from '../lang/dotnet-packages-lock/index.js';
import { gemfileLockExtractor } from '../lang/gemfile-lock/index.js';
import { gemspecInstalledExtractor } from '../lang/gemspec-installed/index.js';
import { gradleLockfileExtractor } from '../lang/gradle-lockfile/index.js';
import { javaArchiveExtractor } from '../lang/java-archive/index.js';
import { mavenPomExtractor } from '../lang/maven-pom/index.js';
import { mixLockExtractor } from '../lang/mix-lock/index.js';
import { pubspecLockExtractor } from '../lang/pubspec-lock/index.js';
import { swiftPackageResolvedExtractor } from '../lang/swift-package-resolved/index.js';

export const langExtractorsB: readonly Extractor[] = [
  cargoLockExtractor,
  cargoAuditableExtractor,
  gemfileLockExtractor,
  gemspecInstalledExtractor,
  composerLockExtractor,
  composerInstalledExtractor,
  mavenPomExtractor,
  gradleLockfileExtractor,
  javaArchiveExtractor,
  dotnetPackagesLockExtractor,
  dotnetPackagesConfigExtractor,
  dotnetDepsJsonExtractor,
  dotnetDirectoryPackagesExtractor,
  pubspecLockExtractor,
  mixLockExtractor,
  swiftPackageResolvedExtractor,
  cocoapodsPodfileLockExtractor,
  conanLockExtractor,
];
