import { readPackageJson } from './util/package-root.js';

export const VERSION: string = readPackageJson<{ version: string }>('package.json').version;
