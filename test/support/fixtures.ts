import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './shared.js';

/** Fixtures kept in the repository (the unit layer reads only these). */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test/fixtures');

/**
 * Peer scanners' test fixtures copied into the repository (test/fixtures/peer, provenance and licences in its
 * README.md): same relative paths as ../shared/peer-fixtures.
 */
export const PEER_FIXTURES_DIR = path.join(FIXTURES_DIR, 'peer');

export function peerFixture(...parts: string[]): string {
  return path.join(PEER_FIXTURES_DIR, ...parts);
}

export function readPeerFixture(...parts: string[]): Uint8Array {
  const file = peerFixture(...parts);
  if (!fs.existsSync(file)) {
    throw new Error(`${file}: no such peer fixture; copy it from ../shared/peer-fixtures and list it in test/fixtures/peer/README.md`);
  }
  return fs.readFileSync(file);
}
