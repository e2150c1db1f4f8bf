import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BulwarkError, UsageError } from '../core/errors.js';
import { importReport } from '../import/index.js';
import type { ImportedReport } from '../import/index.js';
import { classifyTarget } from './targets.js';

/**
 * `bulwark scan --engine trivy TARGET`: runs an installed Trivy on the target and imports its JSON report
 * (src/import), for teams that must keep Trivy's verdicts; the gate, profiles, output formats and exit codes are
 * then the same as a native scan's. Bulwark's target spellings map to Trivy's commands:
 *
 *   a directory, dir:PATH, one lockfile       → trivy fs PATH
 *   docker-archive:, oci-archive:, oci-dir:    → trivy image --input PATH
 *   rootfs:PATH (or an unpacked root filesystem) → trivy rootfs PATH
 *   registry:REF                               → trivy image REF
 *   sbom:FILE                                  → trivy sbom FILE
 *
 * Trivy's own database and cache stay Trivy's: TRIVY_CACHE_DIR (and every other TRIVY_* variable) passes through;
 * --offline becomes --skip-db-update --skip-java-db-update --offline-scan.
 */
export const TRIVY_INSTALL_HINT = 'install Trivy (https://trivy.dev/latest/getting-started/installation/) and put it on PATH, or pass --trivy PATH';

export interface TrivyRunOptions {
  /** --trivy PATH; else `trivy` on PATH. */
  trivyPath?: string;
  env?: NodeJS.ProcessEnv;
  offline?: boolean;
  /** os/arch for a multi-platform image. */
  platform?: string;
  /** Registry credentials: given to Trivy in TRIVY_USERNAME/TRIVY_PASSWORD, never on its command line. */
  username?: string;
  password?: string;
  insecure?: boolean;
  /** Trivy's own --timeout, e.g. "10m". */
  timeout?: string;
  /** Told the command line (debug). */
  log?: { debug(msg: string): void };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The Trivy binary: --trivy PATH (must exist), else the first `trivy` on PATH. Throws one line saying how to install. */
export function findTrivy(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined) {
    const full = path.resolve(explicit);
    if (!isExecutable(full)) throw new BulwarkError('BULWARK_E_UNSUPPORTED', `--trivy ${explicit}: no executable file there`, { hint: TRIVY_INSTALL_HINT });
    return full;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'trivy');
    if (isExecutable(candidate)) return candidate;
  }
  throw new BulwarkError('BULWARK_E_UNSUPPORTED', '--engine trivy: no trivy on PATH', { hint: TRIVY_INSTALL_HINT });
}

/** Trivy's subcommand and arguments for a Bulwark target. */
export function trivyCommand(target: string, opts: Pick<TrivyRunOptions, 'platform' | 'insecure'> = {}): string[] {
  if (target.startsWith('sbom:')) return ['sbom', path.resolve(target.slice(5))];
  const t = classifyTarget(target);
  if (t.kind === 'path') return ['fs', t.path];
  const image = t.image;
  const platform = opts.platform ? ['--platform', opts.platform] : [];
  switch (image.kind) {
    case 'rootfs':
      return ['rootfs', image.path ?? '/'];
    case 'registry':
      return ['image', ...platform, ...(opts.insecure ? ['--insecure'] : []), image.reference!];
    default:
      if (image.tag !== undefined) {
        throw new UsageError(`${target}: Trivy cannot pick the tag "${image.tag}" inside an ${image.kind}`, 'give an archive or layout that holds one image, or scan with the Bulwark engine');
      }
      return ['image', ...platform, '--input', image.path!];
  }
}

/** The last lines of Trivy's stderr: enough to see why it failed. */
function tail(text: string, lines = 12): string {
  // eslint-disable-next-line no-control-regex
  const all = text.replace(/\u001b\[[0-9;]*m/g, '').trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** Runs Trivy on the target and imports its JSON. Trivy failing (any non-zero exit) is an error with its stderr tail. */
export async function scanWithTrivy(target: string, opts: TrivyRunOptions = {}): Promise<ImportedReport> {
  const env = { ...(opts.env ?? process.env) };
  const bin = findTrivy(opts.trivyPath, env);
  const command = trivyCommand(target, opts);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-trivy-'));
  const out = path.join(work, 'trivy.json');
  const args = [
    ...command.slice(0, 1),
    '--format', 'json',
    '--output', out,
    '--scanners', 'vuln',
    // Every package, not only vulnerable ones: the report's inventory is what a server re-matches.
    '--list-all-pkgs',
    ...(opts.offline ? ['--skip-db-update', '--skip-java-db-update', '--offline-scan'] : []),
    ...(opts.timeout ? ['--timeout', opts.timeout] : []),
    ...command.slice(1),
  ];
  if (opts.username !== undefined) env.TRIVY_USERNAME = opts.username;
  if (opts.password !== undefined) env.TRIVY_PASSWORD = opts.password;
  opts.log?.debug(`running ${bin} ${args.join(' ')}${env.TRIVY_CACHE_DIR ? ` (TRIVY_CACHE_DIR=${env.TRIVY_CACHE_DIR})` : ''}`);
  try {
    const { code, signal, stderr } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
      const child = spawn(bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString('utf8');
        if (err.length > 256 * 1024) err = err.slice(-128 * 1024);
      });
      child.on('error', (e) => reject(new BulwarkError('BULWARK_E_UNSUPPORTED', `cannot run ${bin}: ${e.message}`, { hint: TRIVY_INSTALL_HINT, cause: e })));
      child.on('close', (c, s) => resolve({ code: c, signal: s, stderr: err }));
    });
    if (code !== 0) {
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      throw new BulwarkError('BULWARK_E_UNSUPPORTED', `trivy ${command[0]} ${why}${stderr.trim() ? `:\n${tail(stderr)}` : ' and said nothing on stderr'}`, {
        hint: 'the lines above are Trivy\'s own; run the same trivy command to see all of it',
      });
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(out);
    } catch {
      throw new BulwarkError('BULWARK_E_UNSUPPORTED', `trivy ${command[0]} exited 0 but wrote no report`, { hint: 'check that this Trivy supports --format json --output' });
    }
    return importReport(bytes, { format: 'trivy', filename: `trivy ${command[0]} output` });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
