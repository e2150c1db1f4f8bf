// Timing helpers of the benches that run Bulwark against the real Trivy binary in one run
// (image-vs-trivy.mjs, lockfile-vs-trivy.mjs).
import { spawnSync } from 'node:child_process';

/** Runs a command under GNU time; returns wall seconds, max RSS in MiB, CPU seconds, status and output. */
export function timed(cmd, argv, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M CPU %U %S', cmd, ...argv], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /MAXRSS (\d+) CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr}`);
  return { seconds, rssMiB: Number(m[1]) / 1024, cpu: Number(m[2]) + Number(m[3]), status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Seconds from Trivy's first log line to its last (ISO timestamps with milliseconds at the start of each line). */
export function logSpan(stderr) {
  const stamps = [...stderr.matchAll(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))\s/gm)].map((m) => Date.parse(m[1]));
  if (stamps.length < 2) throw new Error(`no Trivy debug log in its stderr:\n${stderr.slice(0, 2000)}`);
  return (stamps[stamps.length - 1] - stamps[0]) / 1000;
}

export const sorted = (xs) => [...xs].sort((a, b) => a - b);
export const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
export const spread = (xs, d) => `${sorted(xs)[0].toFixed(d)}–${sorted(xs)[xs.length - 1].toFixed(d)}`;
