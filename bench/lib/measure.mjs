import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-measured.mjs');

/** Runs `bulwark <args>` in a fresh Node process; returns wall seconds, peak RSS (MiB) and the exit code. */
export function measureCli(args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1' }, ...opts });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const line = r.stderr.trim().split('\n').reverse().find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`no measurement from bulwark ${args.join(' ')}: ${r.stderr}`);
  const m = JSON.parse(line.slice(6));
  return { seconds, maxRssMiB: m.maxRssKiB / 1024, exitCode: m.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** Median of several runs of a measurement. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function fmt(n, digits = 2) {
  return n.toFixed(digits);
}
