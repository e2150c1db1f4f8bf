/**
 * Gradle dependency lock state → records. Pure.
 * `gradle.lockfile` (Gradle 6+): `group:artifact:version=conf1,conf2` per line, `empty=confs` for
 * configurations without dependencies, `#` comments. The older per-configuration files
 * (`gradle/dependency-locks/<configuration>.lockfile`) hold `group:artifact:version` lines only.
 */

export interface GradleLock {
  group: string;
  artifact: string;
  version: string;
  configurations: string[];
  line: number;
}

export function parseGradleLockfile(text: string, defaultConfiguration?: string): { entries: GradleLock[]; skipped: string[] } {
  const entries: GradleLock[] = [];
  const skipped: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const coord = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (coord === 'empty') continue;
    const confs = eq < 0 ? (defaultConfiguration ? [defaultConfiguration] : []) : line.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '');
    const parts = coord.split(':');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      skipped.push(`line ${i + 1}: ${JSON.stringify(line)} is not group:artifact:version`);
      continue;
    }
    entries.push({ group: parts[0] ?? '', artifact: parts[1] ?? '', version: parts[2] ?? '', configurations: confs, line: i + 1 });
  }
  return { entries, skipped };
}

/** A configuration used only by tests: testCompileClasspath, androidTestRuntimeClasspath, debugUnitTest…, testFixtures… */
export function isTestConfiguration(name: string): boolean {
  return /test/i.test(name);
}
