/**
 * Language extractors, group A: npm (package-lock, yarn, pnpm, bun, installed node_modules), Go (go.mod,
 * go.sum, vendor/modules.txt, Gopkg.lock, compiled binaries) and Python (requirements, Pipfile.lock,
 * poetry.lock, uv.lock, pdm.lock, pylock.toml, installed METADATA/PKG-INFO). An explicit list: no
 * registration side effects.
 */
import type { Extractor } from '../types.js';
import { bunLockExtractor } from '../lang/bun-lock/index.js';
import { goBinaryExtractor } from '../lang/go-binary/index.js';
import { goDepExtractor } from '../lang/go-dep/index.js';
import { goModExtractor } from '../lang/go-mod/index.js';
import { goSumExtractor } from '../lang/go-sum/index.js';
import { goVendorExtractor } from '../lang/go-vendor/index.js';
import { npmInstalledExtractor } from '../lang/npm-installed/index.js';
import { npmLockExtractor } from '../lang/npm-lock/index.js';
import { pnpmLockExtractor } from '../lang/pnpm-lock/index.js';
import { pythonInstalledExtractor } from '../lang/python-installed/index.js';
import { pythonPdmLockExtractor } from '../lang/python-pdm-lock/index.js';
import { pythonPipfileLockExtractor } from '../lang/python-pipfile-lock/index.js';
import { pythonPoetryLockExtractor } from '../lang/python-poetry-lock/index.js';
import { pythonPylockExtractor } from '../lang/python-pylock/index.js';
import { pythonRequirementsExtractor } from '../lang/python-requirements/index.js';
import { pythonUvLockExtractor } from '../lang/python-uv-lock/index.js';
import { yarnLockExtractor } from '../lang/yarn-lock/index.js';

export const langExtractorsA: readonly Extractor[] = [
  npmLockExtractor,
  npmInstalledExtractor,
  yarnLockExtractor,
  pnpmLockExtractor,
  bunLockExtractor,
  goModExtractor,
  goSumExtractor,
  goVendorExtractor,
  goDepExtractor,
  goBinaryExtractor,
  pythonRequirementsExtractor,
  pythonPipfileLockExtractor,
  pythonPoetryLockExtractor,
  pythonUvLockExtractor,
  pythonPdmLockExtractor,
  pythonPylockExtractor,
  pythonInstalledExtractor,
];
