import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The read-only shared material beside the repository (`../shared`): the vulndata snapshot, the full peer-fixtures
 * tree, the test-image tools. Only the e2e and bench layers use it (the unit layer reads test/fixtures). CI lays a
 * copy of it beside the clone; BULWARK_SHARED_DIR overrides (e.g. BULWARK_SHARED_DIR=/nonexistent to simulate a
 * fresh clone without it).
 */
export const SHARED_DIR = process.env.BULWARK_SHARED_DIR ?? path.resolve(REPO_ROOT, '../shared');
export const VULNDATA_DIR = path.join(SHARED_DIR, 'vulndata');
/** The full shared peer-fixtures tree (the unit specs read the copy in test/fixtures/peer instead). */
export const SHARED_PEER_FIXTURES_DIR = path.join(SHARED_DIR, 'peer-fixtures');

export type SharedPart = 'vulndata' | 'peer-fixtures' | 'tools';

/** Shared material is required (a missing part fails the run instead of skipping): in CI, or when asked. */
export function sharedRequired(): boolean {
  return process.env.CI === 'true' || process.env.BULWARK_REQUIRE_SHARED === '1';
}

/**
 * Whether the parts of the shared material a layer needs are present. When one is missing, says on stderr that
 * `layer` is skipped and why (the describe.skipIf that uses the answer cannot print a reason itself); in CI (or with
 * BULWARK_REQUIRE_SHARED=1) a missing part is an error instead, so that CI never passes by skipping.
 */
export function hasShared(layer: string, ...parts: SharedPart[]): boolean {
  const missing = parts.filter((p) => !fs.existsSync(path.join(SHARED_DIR, p)));
  if (missing.length === 0) return true;
  const reason = `${layer}: skipped, the shared material is missing (${missing.map((p) => path.join(SHARED_DIR, p)).join(', ')}); lay ../shared beside the clone or set BULWARK_SHARED_DIR`;
  if (sharedRequired()) throw new Error(`${reason} (CI=true or BULWARK_REQUIRE_SHARED=1: shared material is required)`);
  console.warn(`[skip] ${reason}`);
  return false;
}

/** A file of the full shared peer-fixtures tree (e2e layer; unit specs use test/support/fixtures.ts). */
export function peerFixture(...parts: string[]): string {
  return path.join(SHARED_PEER_FIXTURES_DIR, ...parts);
}
