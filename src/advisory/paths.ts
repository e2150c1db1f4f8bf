import path from 'node:path';
import { DB_FILE } from './store/schema.js';

/** Where the advisory database lives in a cache dir. */
export function databasePath(cacheDir: string): string {
  return path.join(cacheDir, 'db', DB_FILE);
}
