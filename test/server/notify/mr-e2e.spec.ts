import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initServer } from '../../../src/server/server.js';
import { BIN, runCli } from '../../support/cli.js';
import { REPO_ROOT } from '../../support/shared.js';
import type { Advisory } from '../monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, writeMirror } from '../monitor-support.js';
import type { TestStore } from '../support.js';
import { ENGINES, freshStore } from '../support.js';
import { fakeGitlabMr, fakeGithub } from './fakes.js';
import { MR_NOTE_MARKER } from '../../../src/server/notify/mr-note.js';

/**
 * Merge-request notes end to end: the built CLI scans a lockfile in a (simulated) GitLab CI / GitHub Actions job and
 * uploads to a running `bulwark server`; the default branch's scan becomes the project's state, each merge/pull
 * request scan is compared with it and answered with ONE note (updated in place on the next push) and a commit
 * status with the server's gate, on the GitLab v4 and GitHub stand-ins (fakes.ts).
 */
const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR, summary: 'Prototype pollution in lodash' };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR, summary: 'qs prototype poisoning' };
const BUILT = fs.existsSync(path.join(REPO_ROOT, 'bundle/main.js'));
const SHA = { main: '1'.repeat(40), mr1: '2'.repeat(40), mr2: '3'.repeat(40), pr1: '4'.repeat(40), pr2: '5'.repeat(40) };

function lockfile(deps: Record<string, string>): string {
  const packages: Record<string, unknown> = { '': { name: 'shop', version: '1.0.0', dependencies: Object.fromEntries(Object.keys(deps).map((n) => [n, '*'])) } };
  for (const [n, v] of Object.entries(deps)) packages[`node_modules/${n}`] = { version: v, resolved: `https://registry.npmjs.org/${n}/-/${n}-${v}.tgz` };
  return JSON.stringify({ name: 'shop', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);
}

function startChild(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'server', ...args, '--port', '0', '--validation-threads', '0'], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/[^\s)]+)/.exec(err);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

/** Environment of the CI jobs, with nothing of the test runner's own CI variables. */
function ciEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(CI_|GITLAB_|GITHUB_)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip || !BUILT)(`merge-request notes from CLI uploads, on ${engine}`, () => {
    let t: TestStore;
    let work: string;
    let child: ChildProcess | undefined;
    let url: string;
    let adminKey: string;
    let token: string;
    let gl: Awaited<ReturnType<typeof fakeGitlabMr>>;
    let gh: Awaited<ReturnType<typeof fakeGithub>>;
    let repo: string;
    let cache: string;

    const api = async <T>(p: string, init: RequestInit = {}): Promise<T> => {
      const req = () => fetch(url + p, { ...init, headers: { authorization: `Bearer ${adminKey}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
      // A GET may meet a pooled connection the server closed while idle (its 5 s keep-alive timeout passed while a
      // CLI scan blocked this process): try it again once the close has been seen.
      let res: Response | undefined;
      for (let attempt = 1; !res; attempt++) {
        try {
          res = await req();
        } catch (e) {
          if ((init.method ?? 'GET') !== 'GET' || attempt >= 3) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const text = await res.text();
      expect(res.ok, `${init.method ?? 'GET'} ${p}: ${res.status} ${text}`).toBe(true);
      return JSON.parse(text) as T;
    };
    type Jobs = { counts: Record<string, number>; items: { status: string; outcome: string | null; error: string | null; ci: { mergeRequest?: number; sha: string } }[] };
    /** Waits until no merge-request job is queued and `done` are done. */
    const jobsDone = async (done: number): Promise<Jobs> => {
      for (let i = 0; i < 400; i++) {
        const j = await api<Jobs>('/api/v1/admin/merge-requests');
        if (!j.counts.queued && (j.counts.done ?? 0) >= done) return j;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`merge-request jobs did not finish: ${JSON.stringify(await api('/api/v1/admin/merge-requests'))}`);
    };
    /** The built CLI in a CI job: scans the repository's lockfile, uploads the report. */
    const scanAndUpload = (deps: Record<string, string>, env: Record<string, string>) => {
      fs.writeFileSync(path.join(repo, 'package-lock.json'), lockfile(deps));
      const r = runCli(['--cache-dir', cache, 'scan', repo, '--offline', '--format', 'json', '-o', `json=${path.join(work, 'report.json')}`, '--upload', url, '--exit-code', '0'], { env: ciEnv({ BULWARK_TOKEN: token, ...env }) });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(fs.readFileSync(path.join(work, 'report.json'), 'utf8')) as { ci?: Record<string, unknown>; schemaVersion: string };
    };

    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-mr-e2e-'));
      repo = path.join(work, 'repo');
      fs.mkdirSync(repo);
      cache = path.join(work, 'cli-cache');
      const mirror = await writeMirror(path.join(work, 'mirror'), [LODASH, QS]);
      const db = runCli(['--cache-dir', cache, 'db', 'update', '--source', mirror, '--ecosystem', 'npm']);
      expect(db.code, db.stderr).toBe(0);
      [gl, gh] = await Promise.all([fakeGitlabMr('glpat-mr-notes', '42', [7]), fakeGithub('ghs_pr_notes', 'acme/shop', [12])]);
      t = await freshStore(engine);
      adminKey = (await initServer(t.options)).apiKey;
      const storeArgs = ['--data-dir', t.options.dataDir!, ...(t.options.databaseUrl ? ['--database', t.options.databaseUrl] : [])];
      ({ child, url } = await startChild([...storeArgs, '--db-source', mirror, '--db-refresh', '0'], { BULWARK_SECRET_KEY: crypto.randomBytes(32).toString('base64') }));
      await api('/api/v1/admin/db/refresh', { method: 'POST' });
      await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'shop' }) });
      ({ token } = await api<{ token: string }>('/api/v1/projects/shop/tokens', { method: 'POST' }));
      await api('/api/v1/channels', { method: 'POST', body: JSON.stringify({ name: 'gitlab-mr', type: 'gitlab', options: { url: gl.url, mergeRequests: true, issues: false, dashboardUrl: 'https://bulwark.example.com' }, secrets: { token: 'glpat-mr-notes' } }) });
      await api('/api/v1/channels', { method: 'POST', body: JSON.stringify({ name: 'github-pr', type: 'github', options: { apiUrl: gh.url }, secrets: { token: 'ghs_pr_notes' } }) });
    }, 120_000);

    afterAll(async () => {
      child?.kill('SIGTERM');
      await Promise.all([gl?.close(), gh?.close()]);
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const GITLAB = { GITLAB_CI: 'true', CI_PROJECT_ID: '42', CI_DEFAULT_BRANCH: 'main', CI_PIPELINE_URL: 'https://gitlab.example.com/acme/shop/-/pipelines/1', CI_JOB_TOKEN: 'glcbt-must-not-leak' };

    it('the default branch pipeline: its scan (ci block, no merge request) becomes the project state', async () => {
      const report = scanAndUpload({ lodash: '4.17.20', qs: '6.10.3' }, { ...GITLAB, CI_API_V4_URL: `${gl.url}/api/v4`, CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_SHA: SHA.main });
      expect(report.schemaVersion).toBe('1.2.0');
      expect(report.ci).toEqual({ provider: 'gitlab', apiUrl: `${gl.url}/api/v4`, project: '42', branch: 'main', defaultBranch: 'main', sha: SHA.main, pipelineUrl: GITLAB.CI_PIPELINE_URL });
      expect(JSON.stringify(report)).not.toContain('glcbt-must-not-leak');
      for (let i = 0; i < 200; i++) {
        const m = await api<{ targets: { evaluatedAt: string | null; findings: { advisory_id: string }[] }[] }>('/api/v1/projects/shop/monitor');
        if (m.targets[0]?.evaluatedAt) {
          expect(m.targets.map((x) => x.findings.map((f) => f.advisory_id))).toEqual([['GHSA-lodash-0001']]);
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the default branch was not evaluated');
    });

    it('GitLab MR, first push adds qs: one note (after a 429 with Retry-After), commit status failed', async () => {
      gl.failNext.push({ status: 429, headers: { 'retry-after': '1' }, body: '{"message":"429 Too Many Requests"}' });
      const env = { ...GITLAB, CI_API_V4_URL: `${gl.url}/api/v4`, CI_MERGE_REQUEST_IID: '7', CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'bump-qs', CI_COMMIT_REF_NAME: 'bump-qs', CI_COMMIT_SHA: SHA.mr1 };
      const report = scanAndUpload({ lodash: '4.17.20', qs: '6.0.0' }, env);
      expect(report.ci).toMatchObject({ mergeRequest: 7, branch: 'bump-qs', defaultBranch: 'main' });
      const jobs = await jobsDone(1);
      expect(jobs.items[0]).toMatchObject({ status: 'done', ci: { mergeRequest: 7, sha: SHA.mr1 } });
      const mine = gl.notes.get(7)!.filter((n) => n.body.startsWith(MR_NOTE_MARKER));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.body).toContain('Compared with the default branch `main`: **1 added**, **0 fixed**.');
      expect(mine[0]!.body).toContain('| HIGH | GHSA-qs-0001 | qs | 6.0.0 | 6.10.3 |');
      expect(mine[0]!.body).not.toContain('| CRITICAL | GHSA-lodash-0001');
      expect(mine[0]!.body).toContain('https://bulwark.example.com/#/projects/shop');
      expect(gl.statuses).toEqual([{ sha: SHA.mr1, state: 'failed', name: 'bulwark', description: expect.stringMatching(/HIGH|CRITICAL|finding/) as unknown as string, targetUrl: 'https://bulwark.example.com/#/projects/shop' }]);
      expect(gl.requests[0]?.method).toBe('GET');
      expect(gl.requests.flatMap((r) => r.problems)).toEqual([]);
    });

    it('GitLab MR, second push fixes lodash and qs: the same note updated in place, commit status success', async () => {
      const env = { ...GITLAB, CI_API_V4_URL: `${gl.url}/api/v4`, CI_MERGE_REQUEST_IID: '7', CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'bump-qs', CI_COMMIT_SHA: SHA.mr2 };
      const noteId = gl.notes.get(7)!.find((n) => n.body.startsWith(MR_NOTE_MARKER))!.id;
      scanAndUpload({ lodash: '4.17.21', qs: '6.10.3' }, env);
      await jobsDone(2);
      const mine = gl.notes.get(7)!.filter((n) => n.body.startsWith(MR_NOTE_MARKER));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.id).toBe(noteId);
      expect(mine[0]!.body).toContain('**0 added**, **1 fixed**');
      expect(mine[0]!.body).toContain('| CRITICAL | GHSA-lodash-0001 | lodash | 4.17.20 | 4.17.21 |');
      expect(gl.notes.get(7)!.map((n) => n.body.startsWith(MR_NOTE_MARKER))).toEqual([false, true]);
      expect(gl.statuses.map((s) => [s.sha, s.state])).toEqual([[SHA.mr1, 'failed'], [SHA.mr2, 'success']]);
      expect(gl.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/notes'))).toHaveLength(1);
      expect(gl.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
      expect(gl.requests.flatMap((r) => r.problems)).toEqual([]);
    });

    it('the merge-request scans did not become the default branch state', async () => {
      const m = await api<{ targets: { scanId: number; findings: { advisory_id: string }[] }[] }>('/api/v1/projects/shop/monitor');
      expect(m.targets).toHaveLength(1);
      expect(m.targets[0]!.findings.map((f) => f.advisory_id)).toEqual(['GHSA-lodash-0001']);
      const events = await api<{ items: { finding: { id: string } }[] }>('/api/v1/events');
      expect(events.items.map((e) => e.finding.id)).toEqual(['GHSA-lodash-0001']);
    });

    it('GitHub PR (pull_request event payload): one comment across two pushes, statuses failure then success', async () => {
      const eventFile = path.join(work, 'event.json');
      const gha = (sha: string) => {
        fs.writeFileSync(eventFile, JSON.stringify({ action: 'synchronize', number: 12, pull_request: { number: 12, head: { sha, ref: 'bump' }, base: { ref: 'main' } }, repository: { full_name: 'acme/shop', default_branch: 'main' } }));
        return { GITHUB_ACTIONS: 'true', GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF: 'refs/pull/12/merge', GITHUB_SHA: 'f'.repeat(40), GITHUB_HEAD_REF: 'bump', GITHUB_BASE_REF: 'main', GITHUB_EVENT_PATH: eventFile, GITHUB_RUN_ID: '99', GITHUB_TOKEN: 'ghs_must_not_leak' };
      };
      const r1 = scanAndUpload({ lodash: '4.17.20', qs: '6.0.0' }, gha(SHA.pr1));
      expect(r1.ci).toEqual({ provider: 'github', apiUrl: gh.url, project: 'acme/shop', mergeRequest: 12, branch: 'bump', defaultBranch: 'main', sha: SHA.pr1, pipelineUrl: 'https://github.com/acme/shop/actions/runs/99' });
      await jobsDone(3);
      // Bulwark's report goes to GitHub through the upload; the report never carries the token.
      expect(JSON.stringify(r1)).not.toContain('ghs_must_not_leak');
      gh.failNext.push({ status: 503, body: 'unavailable' });
      scanAndUpload({ lodash: '4.17.21', qs: '6.10.3' }, gha(SHA.pr2));
      await jobsDone(4);
      const mine = gh.comments.get(12)!.filter((c) => c.body.startsWith(MR_NOTE_MARKER));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.body).toContain('**0 added**, **1 fixed**');
      expect(mine[0]!.body).toContain('[pipeline](https://github.com/acme/shop/actions/runs/99)');
      expect(gh.statuses.map((s) => [s.sha, s.state, s.name])).toEqual([[SHA.pr1, 'failure', 'bulwark'], [SHA.pr2, 'success', 'bulwark']]);
      expect(gh.requests.flatMap((r) => r.problems)).toEqual([]);
      // The GitLab channel was not asked about a GitHub pull request.
      expect(gl.requests.some((r) => r.path.includes('/repos/'))).toBe(false);
    });
  });
}
