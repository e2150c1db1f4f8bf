/** Go module versions: canonical semver with a `v` prefix (pseudo-versions and +incompatible included). */
const GO_SEMVER = /^v(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

export function isGoVersion(v: string): boolean {
  return GO_SEMVER.test(v);
}

/** Semver precedence (build metadata ignored); invalid versions sort first. */
export function compareGoVersions(a: string, b: string): number {
  const ma = GO_SEMVER.exec(a);
  const mb = GO_SEMVER.exec(b);
  if (!ma || !mb) return ma ? 1 : mb ? -1 : a < b ? -1 : a > b ? 1 : 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(ma[i]) - Number(mb[i]);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const pa = ma[4];
  const pb = mb[4];
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
  const xa = pa.split('.');
  const xb = pb.split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const sa = xa[i];
    const sb = xb[i];
    if (sa === undefined) return -1;
    if (sb === undefined) return 1;
    const na = /^\d+$/.test(sa);
    const nb = /^\d+$/.test(sb);
    if (na && nb) {
      const d = Number(sa) - Number(sb);
      if (d !== 0) return d < 0 ? -1 : 1;
    } else if (na !== nb) {
      return na ? -1 : 1;
    } else if (sa !== sb) {
      return sa < sb ? -1 : 1;
    }
  }
  return 0;
}

/**
 * Go toolchain version as the OSV `stdlib` package version: `go1.21.3` → `v1.21.3`, `go1.21` → `v1.21.0`,
 * `go1.22rc1` → `v1.22.0-rc.1`, `go1.9beta2` → `v1.9.0-beta.2`. Experiment suffixes (` X:boringcrypto`) are dropped.
 * Undefined for development builds (`devel +abc`).
 */
export function stdlibVersion(goVersion: string): string | undefined {
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta|alpha)(\d+))?(?:\s.*)?$/.exec(goVersion.trim());
  if (!m) return undefined;
  const base = `v${m[1]}.${m[2]}.${m[3] ?? '0'}`;
  return m[4] ? `${base}-${m[4]}.${m[5]}` : base;
}
