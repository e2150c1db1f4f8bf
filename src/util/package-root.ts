import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of Bulwark's own package.json. Code runs from src/ (tests), dist/ (tsc) or the bundle, at different
 * depths; files that ship beside the code (schemas/, ui/, package.json) are found from here.
 */
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'bulwark') return dir;
      } catch {
        /* not ours */
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find Bulwark's package.json above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** Reads a JSON file that ships with the package (schemas/report.schema.json). */
export function readPackageJson<T>(relative: string): T {
  return JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, relative), 'utf8')) as T;
}
