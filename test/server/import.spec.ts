import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { INGEST_TOKEN_PREFIX, newSecret } from '../../src/server/auth.js';
import { fingerprintOf } from '../../src/server/store/rows.js';
import { Store } from '../../src/server/store/store.js';
import type { IngestWorker } from '../../src/server/worker.js';
import { importReport } from '../../src/import/index.js';
import { FIXTURES_DIR } from '../support/fixtures.js';
import type { TestStore } from './support.js';
import { ENGINES, freshStore } from './support.js';

/**
 * Issue 16: POST /api/v1/reports takes other scanners' reports as they come out of the scanner (real files from
 * DefectDojo's test suite, test/fixtures/import/README.md), converts them and stores them like Bulwark's own; what is
 * not a report is refused with the importer's reason and nothing is queued.
 */
const IMPORT = path.join(FIXTURES_DIR, 'import');
const REPORTS: [file: string, contentType: string][] = [
  ['trivy/scheme_2_many_vulns.json', 'application/json'],
  ['anchore_grype/many_vulns4.json', 'application/json'],
  ['dependency_check/multiple_vulnerabilities_has_multiple_findings.xml', 'application/xml'],
  ['govulncheck/many_vulns_new_version.json', 'application/json'],
  ['npm_audit_7_plus/many_vulns.json', 'application/json'],
  ['osv_scanner/some_findings.json', 'application/json'],
];

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`other scanners' reports uploaded to the server, on ${engine}`, () => {
    let t: TestStore;
    let store: Store;
    let app: Awaited<ReturnType<typeof buildApp>>['app'];
    let worker: IngestWorker;
    let token: string;
    const upload = (body: Buffer | string, contentType: string, query = '') =>
      app.inject({ method: 'POST', url: `/api/v1/reports${query}`, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: body });
    const count = async (table: 'ingest_queue' | 'scans') => Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    beforeAll(async () => {
      t = await freshStore(engine);
      store = await Store.open(t.options);
      const built = await buildApp({ store, logger: false, worker: { idleMs: 20, maxAttempts: 3, retryBaseMs: 200 } });
      app = built.app;
      worker = built.worker!;
      // A project per format, named after the fixture folder; one more for the refusals.
      for (const [file] of REPORTS) await store.projects.create(file.split('/')[0]!, null);
      const tok = newSecret(INGEST_TOKEN_PREFIX);
      await store.projects.createIngestToken(await store.projects.create('refusals', null), tok.hash);
      token = tok.secret;
    });
    afterAll(async () => {
      await app?.close();
      await store?.close();
      await t?.cleanup();
    });

    it.each(REPORTS)('%s: 202, stored with the findings the file holds, the scanner recorded', async (file, contentType) => {
      const bytes = fs.readFileSync(path.join(IMPORT, file));
      const expected = importReport(bytes, { filename: file });
      expect(expected.findings.length).toBeGreaterThan(0);
      const projectId = (await store.db.selectFrom('projects').select('id').where('name', '=', file.split('/')[0]!).executeTakeFirstOrThrow()).id;
      const tok = newSecret(INGEST_TOKEN_PREFIX);
      await store.projects.createIngestToken(projectId, tok.hash);
      const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${tok.secret}`, 'content-type': contentType }, payload: bytes });
      expect(res.statusCode, res.body).toBe(202);
      await worker.drain();
      const entry = await store.queue.item(res.json<{ id: number }>().id);
      expect(entry?.status).toBe('done');
      const stored = await store.db.selectFrom('findings').select(['fingerprint', 'severity', 'fixed_version']).where('project_id', '=', projectId).execute();
      const want = new Set(expected.findings.map((f) => fingerprintOf(f.id, f.package.purl)));
      expect(new Set(stored.map((r) => r.fingerprint))).toEqual(want);
      // Severities and fixed versions come through as the importer read them.
      const byFp = new Map(expected.findings.map((f) => [fingerprintOf(f.id, f.package.purl), f]));
      for (const r of stored) {
        expect(r.severity).toBe(byFp.get(r.fingerprint)!.severity);
      }
      // The scan names the scanner whose verdicts these are.
      const scan = await store.db.selectFrom('scans').select('imported_from').where('project_id', '=', projectId).executeTakeFirstOrThrow();
      expect(JSON.parse(scan.imported_from ?? 'null')).toMatchObject({ format: expected.tool.importedFrom.format, scanner: expected.tool.importedFrom.scanner });
    });

    it('?format= forces a format, and a body that is not of it is refused', async () => {
      const trivy = fs.readFileSync(path.join(IMPORT, 'trivy/scheme_2_many_vulns.json'));
      const before = await count('ingest_queue');
      const wrong = await upload(trivy, 'application/json', '?format=grype');
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json<{ error: { message: string } }>().error.message).toMatch(/neither a Bulwark report nor a report Bulwark imports: not a grype report/);
      const unknown = await upload(trivy, 'application/json', '?format=nessus');
      expect(unknown.statusCode).toBe(400);
      expect(await count('ingest_queue')).toBe(before);
    });

    it.each([
      ['an empty body', '', 'application/json'],
      ['a SARIF log', fs.readFileSync(path.join(IMPORT, 'govulncheck/invalid/issue_15033_sarif.json')), 'application/json'],
      ['JSON of no known shape', '{"hello":"world"}', 'application/json'],
      ['XML that is not Dependency-Check', '<?xml version="1.0"?><testsuites><testsuite name="x"/></testsuites>', 'application/xml'],
    ])('%s: 400 naming the problem, nothing queued', async (_what, body, type) => {
      const before = [await count('ingest_queue'), await count('scans')];
      const res = await upload(body, type);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(/^the body/);
      expect([await count('ingest_queue'), await count('scans')]).toEqual(before);
    });
  });
}
