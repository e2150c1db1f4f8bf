import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { importReport } from '../../src/import/index.js';
import type { RunningServer } from '../../src/server/server.js';
import { initServer, startServer } from '../../src/server/server.js';
import { apiClient, settleServer } from '../server/monitor-support.js';
import { freshStore } from '../server/support.js';
import type { TestStore } from '../server/support.js';
import { BIN, runCli } from '../support/cli.js';
import { testImagesFor } from '../support/images.js';
import { VULNDATA_DIR, hasShared, peerFixture } from '../support/shared.js';
import { trivyFor } from '../support/trivy.js';

/**
 * Issue 16: the real Trivy binary's JSON, imported into a real server, gives the same findings as Bulwark's own scan
 * of the same target where both databases agree. For each target (two test images; Trivy's own repository fixture
 * lockfiles), Trivy (offline, on the synthetic Trivy DB of make-test-images.sh --trivy-db) and Bulwark (offline, on
 * a database built from the same synthetic Debian advisories plus the shared OSV snapshot) scan it; both reports go
 * to one monitoring server whose advisory database is built from that same mirror. Compared, as (advisory, package,
 * version) sets over the packages both inventories hold:
 *
 *   1. the server's findings for the uploaded Trivy report = the server's findings for Bulwark's report;
 *   2. the server's findings for the Trivy report = Bulwark's own findings (the same advisory data);
 *   3. Trivy's own verdicts (kept as evidence) = Bulwark's own findings, restricted to the advisories both
 *      databases hold (the synthetic Trivy DB holds only the six Debian advisories of expected/advisories.json).
 *
 * The counts are printed, for the record. Packages are compared as each tool names them: Trivy writes Go
 * module versions without their "v" and PyPI names as the lockfile spells them, so those are not "common" here
 * (the server's lookup keys fold both, and its findings for the two uploads are the same sets).
 */
const LAYER = 'test/e2e/trivy-vs-bulwark.spec.ts';
const IMAGES = testImagesFor(LAYER);
const SHARED = hasShared(LAYER, 'vulndata', 'peer-fixtures');
const TRIVY = (IMAGES || process.env.CI === 'true') && SHARED ? trivyFor(LAYER, IMAGES) : undefined;

const REPOS = ['npm', 'yarn', 'pnpm', 'pip', 'poetry', 'pipenv', 'gomod', 'cargo', 'composer', 'nuget'];
const ECOSYSTEMS = ['Debian', 'npm', 'PyPI', 'Go', 'crates.io', 'Packagist', 'NuGet'];

type Triple = string;
const triple = (id: string, ecosystem: string, name: string, version: string): Triple => `${id} ${ecosystem}/${name}@${version}`;
const pkgKey = (ecosystem: string, name: string, version: string): string => `${ecosystem}/${name}@${version}`;

interface Case {
  name: string;
  target: string;
  trivyArgs: string[];
}

describe.skipIf(!TRIVY)('Trivy imported into a server vs Bulwark, where the databases agree', () => {
  let work: string;
  let cacheDir: string;
  let t: TestStore;
  let server: RunningServer;
  let adminKey: string;
  let trivyAdvisories: Set<string>;
  const api = apiClient(() => server, () => adminKey);

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-trivy-vs-'));
    // One mirror: the synthetic Debian advisories of the test images, and the OSV snapshot.
    const mirror = path.join(work, 'mirror');
    fs.mkdirSync(mirror);
    fs.symlinkSync(path.join(IMAGES!, 'mirror', 'debian'), path.join(mirror, 'debian'));
    fs.symlinkSync(path.join(VULNDATA_DIR, 'osv'), path.join(mirror, 'osv'));
    cacheDir = path.join(work, 'cache');
    const db = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', mirror, ...ECOSYSTEMS.flatMap((e) => ['--ecosystem', e])]);
    expect(db.code, db.stderr).toBe(0);
    trivyAdvisories = new Set((JSON.parse(fs.readFileSync(path.join(IMAGES!, 'expected/advisories.json'), 'utf8')) as { advisories: { id: string }[] }).advisories.map((a) => a.id));
    // The server: SQLite, its own advisory database from the same mirror.
    t = await freshStore('sqlite');
    adminKey = (await initServer(t.options)).apiKey;
    server = await startServer({
      ...t.options,
      port: 0,
      logger: false,
      validationThreads: 0,
      worker: { idleMs: 20 },
      monitor: { cacheDir: path.join(work, 'server-advisory'), dbSource: mirror, dbEcosystems: ECOSYSTEMS, dbRefreshMs: 0, expiryCheckMs: 0, idleMs: 20 },
    });
    await api('/api/v1/admin/db/refresh', { method: 'POST' });
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const settle = (): Promise<void> => settleServer(server, 1200);

  const upload = async (project: string, body: Buffer | string): Promise<void> => {
    await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: project }) });
    const { token } = await api<{ token: string }>(`/api/v1/projects/${project}/tokens`, { method: 'POST' });
    const res = await fetch(`${server.url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    expect(res.status, await res.clone().text()).toBe(202);
  };

  const serverFindings = async (project: string): Promise<Set<Triple>> => {
    const r = await api<{ targets: { findings: { advisory_id: string; ecosystem: string; name: string; version: string }[] }[] }>(`/api/v1/projects/${project}/monitor`);
    return new Set(r.targets.flatMap((x) => x.findings.map((f) => triple(f.advisory_id, f.ecosystem, f.name, f.version))));
  };

  // Asynchronous runs: the server shares this process, and a blocked event loop breaks its keep-alive connections.
  const run = async (file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const r = await promisify(execFile)(file, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code?: unknown; stdout?: string; stderr?: string };
      if (typeof x.code !== 'number') throw e;
      return { code: x.code, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
    }
  };

  const trivy = async (args: string[]): Promise<Buffer> => {
    const out = path.join(work, `trivy-${Date.now()}.json`);
    const r = await run(TRIVY!.bin, [args[0]!, '--format', 'json', '--output', out, '--list-all-pkgs', '--scanners', 'vuln', '--skip-db-update', '--offline-scan', ...args.slice(1)], { TRIVY_CACHE_DIR: TRIVY!.cacheDir });
    expect(r.code, r.stderr).toBe(0);
    return fs.readFileSync(out);
  };

  const bulwark = async (target: string): Promise<ScanReport> => {
    const r = await run(process.execPath, [BIN, '--cache-dir', cacheDir, 'scan', target, '--offline', '--format', 'json', '--incomplete', 'warn'], { NO_COLOR: '1' });
    expect([0, 1], r.stderr).toContain(r.code);
    return JSON.parse(r.stdout) as ScanReport;
  };

  const only = <T>(a: Set<T>, b: Set<T>): T[] => [...a].filter((x) => !b.has(x)).sort();

  async function compare(c: Case): Promise<void> {
    const raw = await trivy(c.trivyArgs);
    const imported = importReport(raw, { filename: `${c.name}.trivy.json` });
    const own = await bulwark(c.target);
    await upload(`trivy-${c.name}`, raw);
    await upload(`bulwark-${c.name}`, JSON.stringify(own));
    await settle();

    const trivyPkgs = new Set(imported.packages.map((p) => pkgKey(p.ecosystem, p.name, p.version)));
    const ownPkgs = new Set(own.packages.map((p) => pkgKey(p.ecosystem, p.name, p.version)));
    const common = new Set([...trivyPkgs].filter((k) => ownPkgs.has(k)));
    const inCommon = (s: Iterable<Triple>): Set<Triple> => new Set([...s].filter((x) => common.has(x.slice(x.indexOf(' ') + 1))));

    const serverTrivy = await serverFindings(`trivy-${c.name}`);
    const serverOwn = await serverFindings(`bulwark-${c.name}`);
    const ownFindings = new Set(own.findings.map((f) => triple(f.id, f.package.ecosystem, f.package.name, f.package.version)));
    const trivyVerdicts = new Set(imported.findings.map((f) => triple(f.id, f.package.ecosystem, f.package.name, f.package.version)));
    const bothDbs = (s: Set<Triple>): Set<Triple> => new Set([...inCommon(s)].filter((x) => trivyAdvisories.has(x.slice(0, x.indexOf(' ')))));

    console.log(
      `[trivy-vs-bulwark] ${c.name}: packages trivy ${trivyPkgs.size}, bulwark ${ownPkgs.size}, both ${common.size}; ` +
        `server findings for the trivy upload ${serverTrivy.size} (on common packages ${inCommon(serverTrivy).size}), for the bulwark upload ${serverOwn.size} (${inCommon(serverOwn).size}); ` +
        `bulwark's own ${ownFindings.size}; trivy's own ${trivyVerdicts.size}, on advisories in both databases ${bothDbs(trivyVerdicts).size} vs bulwark ${bothDbs(ownFindings).size}`,
    );
    expect(common.size).toBeGreaterThan(0);
    // 1. The server matches both inventories alike.
    expect(only(inCommon(serverTrivy), inCommon(serverOwn))).toEqual([]);
    expect(only(inCommon(serverOwn), inCommon(serverTrivy))).toEqual([]);
    // 2. …and as Bulwark's own scan does.
    expect(only(inCommon(serverTrivy), inCommon(ownFindings))).toEqual([]);
    expect(only(inCommon(ownFindings), inCommon(serverTrivy))).toEqual([]);
    // 3. Trivy's verdicts agree with Bulwark's where both databases hold the advisory.
    expect(only(bothDbs(trivyVerdicts), bothDbs(ownFindings))).toEqual([]);
    expect(only(bothDbs(ownFindings), bothDbs(trivyVerdicts))).toEqual([]);
  }

  it.each(['extras', 'multi'])('the %s image (docker archive): the same Debian findings', async (tag) => {
    const archive = path.join(IMAGES!, 'archives', `${tag}.tar`);
    await compare({ name: tag, target: `docker-archive:${archive}`, trivyArgs: ['image', '--input', archive] });
    // The images hold vulnerable packages: the comparison is not over empty sets.
    expect((await serverFindings(`trivy-${tag}`)).size).toBeGreaterThan(0);
  }, 180_000);

  it("Trivy's repository fixtures (npm, yarn, pnpm, pip, poetry, pipenv, Go, Cargo, Composer, NuGet lockfiles): the same findings on the packages both read", async () => {
    const repos = path.join(work, 'repos');
    for (const r of REPOS) fs.cpSync(peerFixture('trivy/integration/testdata/fixtures/repo', r), path.join(repos, r), { recursive: true });
    await compare({ name: 'repos', target: repos, trivyArgs: ['fs', repos] });
    expect((await serverFindings('trivy-repos')).size).toBeGreaterThan(0);
  }, 180_000);
});
