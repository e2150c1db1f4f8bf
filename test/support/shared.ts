import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The read-only shared material beside the repository (`../shared`): vulndata, peer-fixtures, tools.
 * CI lays a copy of it beside the clone; BULWARK_SHARED_DIR overrides.
 */
export const SHARED_DIR = process.env.BULWARK_SHARED_DIR ?? path.resolve(REPO_ROOT, '../shared');
export const VULNDATA_DIR = path.join(SHARED_DIR, 'vulndata');
export const PEER_FIXTURES_DIR = path.join(SHARED_DIR, 'peer-fixtures');

export function peerFixture(...parts: string[]): string {
  return path.join(PEER_FIXTURES_DIR, ...parts);
}

export function readPeerFixture(...parts: string[]): Uint8Array {
  return fs.readFileSync(peerFixture(...parts));
}
