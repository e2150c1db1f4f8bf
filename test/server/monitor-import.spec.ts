import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingEvent } from '../../src/server/events/types.js';
import type { RunningServer } from '../../src/server/server.js';
import type { Advisory } from './monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, apiClient, settleServer, writeMirror, startMonitoredServer } from './monitor-support.js';
import type { TestStore } from './support.js';
import { ENGINES } from './support.js';

/**
 * Issue 16: other scanners' reports uploaded to a monitoring server. Where a package is identified (ecosystem,
 * name, version), the server matches it against its own advisory database like a native inventory: its own
 * findings, lifecycle events and gate follow; the scanner's verdicts stay as they were, as evidence (the report's
 * findings and `scans.imported_from`).
 */
const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR, summary: 'Prototype pollution in lodash' };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR, summary: 'qs prototype poisoning' };
const MINIMIST: Advisory = { id: 'GHSA-minimist-0001', name: 'minimist', fixed: '1.2.6', vector: HIGH_VECTOR, summary: 'minimist prototype pollution' };

/** `trivy fs --format json` of a project with a package-lock.json (schema 2, a lang-pkgs result). */
function trivyReport(): unknown {
  return {
    SchemaVersion: 2,
    CreatedAt: '2026-12-07T09:00:00Z',
    ArtifactName: 'shop-frontend',
    ArtifactType: 'filesystem',
    Metadata: { ImageConfig: { architecture: '', created: '0001-01-01T00:00:00Z', os: '', rootfs: { type: '', diff_ids: null }, config: {} } },
    Results: [
      {
        Target: 'package-lock.json',
        Class: 'lang-pkgs',
        Type: 'npm',
        Packages: [
          { ID: 'lodash@4.17.20', Name: 'lodash', Identifier: { PURL: 'pkg:npm/lodash@4.17.20' }, Version: '4.17.20' },
          { ID: 'qs@6.0.0', Name: 'qs', Identifier: { PURL: 'pkg:npm/qs@6.0.0' }, Version: '6.0.0' },
          { ID: 'express@4.18.0', Name: 'express', Identifier: { PURL: 'pkg:npm/express@4.18.0' }, Version: '4.18.0' },
        ],
        Vulnerabilities: [
          {
            VulnerabilityID: 'CVE-2020-8203',
            PkgID: 'lodash@4.17.20',
            PkgName: 'lodash',
            PkgIdentifier: { PURL: 'pkg:npm/lodash@4.17.20' },
            InstalledVersion: '4.17.20',
            FixedVersion: '4.17.21',
            Status: 'fixed',
            SeveritySource: 'ghsa',
            PrimaryURL: 'https://avd.aquasec.com/nvd/cve-2020-8203',
            Title: 'nodejs-lodash: prototype pollution in zipObjectDeep function',
            Severity: 'HIGH',
          },
        ],
      },
    ],
  };
}

/** `grype -o json` of an image holding a node application: only matched artifacts are listed. */
function grypeReport(): unknown {
  const match = (id: string, name: string, version: string, severity: string, fixed: string[]) => ({
    vulnerability: { id, dataSource: `https://github.com/advisories/${id}`, namespace: 'github:language:javascript', severity, urls: [], description: `${name} issue`, cvss: [], fix: { versions: fixed, state: fixed.length ? 'fixed' : 'not-fixed' }, advisories: [] },
    relatedVulnerabilities: [],
    matchDetails: [{ type: 'exact-direct-match', matcher: 'javascript-matcher', searchedBy: { language: 'javascript', namespace: 'github:language:javascript', package: { name, version } }, found: { vulnerabilityID: id, versionConstraint: `<${fixed[0] ?? '99'} (unknown)` } }],
    artifact: { id: `${name}-id`, name, version, type: 'npm', locations: [{ path: `/app/node_modules/${name}/package.json` }], language: 'javascript', licenses: [], cpes: [], purl: `pkg:npm/${name}@${version}`, upstreams: [] },
  });
  return {
    matches: [match('GHSA-grype-own-0001', 'minimist', '1.2.0', 'Medium', ['1.2.3'])],
    source: { type: 'image', target: { userInput: 'registry.example/shop/api:1.4', imageID: 'sha256:' + 'a'.repeat(64), manifestDigest: 'sha256:' + 'b'.repeat(64), tags: ['registry.example/shop/api:1.4'] } },
    distro: { name: 'debian', version: '12', idLike: [] },
    descriptor: { name: 'grype', version: '0.74.0', timestamp: '2026-12-07T09:05:00Z' },
  };
}

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`imported reports under continuous monitoring, on ${engine}`, () => {
    let t: TestStore;
    let server: RunningServer;
    let adminKey: string;
    let work: string;

    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-monitor-import-'));
      const mirror = await writeMirror(path.join(work, 'mirror'), [LODASH, QS, MINIMIST]);
      ({ t, server, adminKey } = await startMonitoredServer(engine, { work, dbSource: mirror }));
    });
    afterAll(async () => {
      await server?.close();
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const api = apiClient(() => server, () => adminKey);
    const settle = (): Promise<void> => settleServer(server);
    const brief = (e: FindingEvent): string => `${e.kind} ${e.project.name}/${e.target} ${e.finding.id} ${e.finding.package.ecosystem}/${e.finding.package.name}@${e.finding.package.version} by ${e.cause.kind}`;
    const upload = async (project: string, body: unknown): Promise<void> => {
      await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: project }) });
      const { token } = await api<{ token: string }>(`/api/v1/projects/${project}/tokens`, { method: 'POST' });
      await api('/api/v1/reports', { method: 'POST', token, body: JSON.stringify(body) });
    };

    it("matches a Trivy and a Grype report's packages against the server's database: its own findings and `new` events; the scanners' verdicts stay as evidence", async () => {
      const refresh = await api<{ added: number }>('/api/v1/admin/db/refresh', { method: 'POST' });
      expect(refresh.added).toBe(3);
      await upload('frontend', trivyReport());
      await upload('api', grypeReport());
      await settle();

      const events = (await api<{ items: FindingEvent[] }>('/api/v1/events?limit=1000')).items;
      expect(events.map(brief).sort()).toEqual([
        'new api/registry.example/shop/api:1.4@sha256:' + 'b'.repeat(64) + ' GHSA-minimist-0001 npm/minimist@1.2.0 by scan',
        'new frontend/shop-frontend GHSA-lodash-0001 npm/lodash@4.17.20 by scan',
        'new frontend/shop-frontend GHSA-qs-0001 npm/qs@6.0.0 by scan',
      ]);
      const lodash = events.find((e) => e.finding.id === LODASH.id)!;
      expect(lodash.finding.severity).toBe('CRITICAL');
      expect(lodash.finding.fixedVersion).toBe('4.17.21');
      expect(lodash.finding.package.purl).toBe('pkg:npm/lodash@4.17.20');

      // The server's view: the inventory the report named (express too, though Trivy found nothing in it), the
      // server's findings, and the gate it decides (CRITICAL → failed, where the imported report's own gate counted a HIGH).
      const frontend = await api<{ gate: boolean | null; targets: { target: string; packages: number; findings: { advisory_id: string; state: string }[] }[] }>('/api/v1/projects/frontend/monitor');
      expect(frontend.targets.map((x) => [x.target, x.packages, x.findings.map((f) => `${f.advisory_id} ${f.state}`).sort()])).toEqual([['shop-frontend', 3, ['GHSA-lodash-0001 open', 'GHSA-qs-0001 open']]]);
      expect(frontend.gate).toBe(false);

      // The scanners' verdicts, as evidence: the reports' own findings (Trivy's CVE, Grype's GHSA) and who gave them.
      for (const [project, id, scanner] of [['frontend', 'CVE-2020-8203', 'trivy'], ['api', 'GHSA-grype-own-0001', 'grype']] as const) {
        const p = await server.store.projects.byName(project);
        const own = await server.store.db.selectFrom('findings').select(['vuln_id']).where('project_id', '=', p!.id).execute();
        expect(own.map((r) => r.vuln_id)).toEqual([id]);
        const scan = await server.store.db.selectFrom('scans').select('imported_from').where('project_id', '=', p!.id).executeTakeFirstOrThrow();
        expect(JSON.parse(scan.imported_from ?? 'null')).toMatchObject({ scanner });
      }
    });

    it('a later Trivy report with lodash upgraded: the server fixes its finding (a `fixed` event by scan)', async () => {
      const before = (await api<{ items: FindingEvent[] }>('/api/v1/events?limit=1000')).items;
      const next = trivyReport() as { CreatedAt: string; Results: { Packages: { Name: string; Version: string; Identifier: { PURL: string } }[]; Vulnerabilities: unknown[] }[] };
      next.CreatedAt = '2026-12-07T11:00:00Z';
      next.Results[0]!.Packages[0] = { Name: 'lodash', Version: '4.17.21', Identifier: { PURL: 'pkg:npm/lodash@4.17.21' } };
      next.Results[0]!.Vulnerabilities = [];
      const { token } = await api<{ token: string }>('/api/v1/projects/frontend/tokens', { method: 'POST' });
      await api('/api/v1/reports', { method: 'POST', token, body: JSON.stringify(next) });
      await settle();
      const events = (await api<{ items: FindingEvent[] }>(`/api/v1/events?limit=1000&after=${before.at(-1)!.cursor}`)).items;
      expect(events.map(brief)).toEqual(['fixed frontend/shop-frontend GHSA-lodash-0001 npm/lodash@4.17.20 by scan']);
    });
  });
}
