import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, VULNDATA_DIR } from './shared.js';

export const BIN = path.join(REPO_ROOT, 'bin/bulwark.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds dist/ before vitest starts). */
export function runCli(args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  if (!fs.existsSync(path.join(REPO_ROOT, 'bundle/main.js'))) throw new Error('the CLI is not built: run `npm run build` first');
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    // killed after it (SIGTERM): `code` is then null
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A cache dir with an advisory DB built from the shared snapshot for the given ecosystems. */
export function snapshotCache(ecosystems: string[]): string {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-e2e-'));
  const r = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', VULNDATA_DIR, ...ecosystems.flatMap((e) => ['--ecosystem', e])]);
  if (r.code !== 0) throw new Error(`db update failed (${r.code}): ${r.stderr}`);
  return cacheDir;
}
