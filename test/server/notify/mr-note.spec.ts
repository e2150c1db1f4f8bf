import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MrDiff } from '../../../src/server/notify/mr-note.js';
import { MR_NOTE_MARKER, upsertMrNote } from '../../../src/server/notify/mr-note.js';
import type { MrContext } from '../../../src/server/notify/mr-note.js';
import { ciContextFromEnv } from '../../../src/core/ci.js';

/**
 * Loopback GitLab v4 (MR notes: GET/POST /projects/:id/merge_requests/:iid/notes, PUT …/notes/:id; commit
 * statuses: POST /projects/:id/statuses/:sha with state pending|running|success|failed|canceled) and GitHub REST
 * (GET/POST /repos/:o/:r/issues/:n/comments, PATCH /repos/:o/:r/issues/comments/:id, POST /repos/:o/:r/statuses/:sha
 * with state error|failure|pending|success), checking auth headers, methods and bodies.
 */
interface Store {
  notes: { id: number; body: string }[];
  statuses: { sha: string; state: string; name: string }[];
  problems: string[];
}

function forge(kind: 'gitlab' | 'github', token: string): Promise<{ url: string; s: Store; close: () => void }> {
  const s: Store = { notes: [], statuses: [], problems: [] };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const authOk = kind === 'gitlab' ? req.headers['private-token'] === token : req.headers.authorization === `Bearer ${token}` && req.headers['x-github-api-version'] === '2022-11-28';
      if (!authOk) return send(401, { message: 'Bad credentials' });
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const p = new URL(req.url ?? '/', 'http://x').pathname;
      const notesPath = kind === 'gitlab' ? '/api/v4/projects/42/merge_requests/7/notes' : '/repos/acme/shop/issues/7/comments';
      const notePath = kind === 'gitlab' ? /^\/api\/v4\/projects\/42\/merge_requests\/7\/notes\/([0-9]+)$/ : /^\/repos\/acme\/shop\/issues\/comments\/([0-9]+)$/;
      const statusPath = kind === 'gitlab' ? /^\/api\/v4\/projects\/42\/statuses\/([0-9a-f]{40})$/ : /^\/repos\/acme\/shop\/statuses\/([0-9a-f]{40})$/;
      if (p === notesPath && req.method === 'GET') return send(200, s.notes);
      if (p === notesPath && req.method === 'POST') {
        if (typeof body.body !== 'string') return s.problems.push('note without body'), send(400, { message: 'body is missing' });
        s.notes.push({ id: s.notes.length + 100, body: body.body });
        return send(201, s.notes.at(-1));
      }
      const n = notePath.exec(p);
      if (n && req.method === (kind === 'gitlab' ? 'PUT' : 'PATCH')) {
        const note = s.notes.find((x) => x.id === Number(n[1]));
        if (!note || typeof body.body !== 'string') return s.problems.push('bad note update'), send(404, { message: 'Not Found' });
        note.body = body.body;
        return send(200, note);
      }
      const st = statusPath.exec(p);
      if (st && req.method === 'POST') {
        const states = kind === 'gitlab' ? ['pending', 'running', 'success', 'failed', 'canceled'] : ['error', 'failure', 'pending', 'success'];
        const name = kind === 'gitlab' ? body.name : body.context;
        if (!states.includes(String(body.state)) || typeof name !== 'string') return s.problems.push(`bad status ${JSON.stringify(body)}`), send(400, { message: 'state is invalid' });
        s.statuses.push({ sha: st[1] as string, state: String(body.state), name });
        return send(201, {});
      }
      s.problems.push(`unexpected ${req.method} ${p}`);
      return send(404, { message: 'Not Found' });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, s, close: () => server.close() })));
}

const SHA = 'a'.repeat(40);
const diff = (added: number, passed: boolean): MrDiff => ({
  project: 'shop',
  added: Array.from({ length: added }, (_, i) => ({ id: `CVE-2021-2333${i}`, severity: 'HIGH' as const, package: 'lodash', version: '4.17.4', fixedVersion: '4.17.21' })),
  fixed: [{ id: 'CVE-2021-44906', severity: 'CRITICAL', package: 'minimist', version: '1.2.5', fixedVersion: '1.2.6' }],
  gate: { passed, reason: passed ? 'no finding at or above HIGH' : `${added} finding(s) at or above HIGH` },
  dashboardUrl: null,
});

describe('merge-request and pull-request notes, updated in place', () => {
  let gl: Awaited<ReturnType<typeof forge>>;
  let gh: Awaited<ReturnType<typeof forge>>;
  beforeAll(async () => {
    [gl, gh] = await Promise.all([forge('gitlab', 'glpat-ci'), forge('github', 'ghs_ci')]);
  });
  afterAll(() => {
    gl.close();
    gh.close();
  });

  it('GitLab: one note across pushes, updated when the diff changes, and the commit status', async () => {
    const ctx = ciContextFromEnv({ GITLAB_CI: 'true', CI_API_V4_URL: `${gl.url}/api/v4`, CI_PROJECT_ID: '42', CI_MERGE_REQUEST_IID: '7', CI_COMMIT_SHA: SHA }) as MrContext;
    expect(ctx?.mergeRequest).toBe(7);
    gl.s.notes.push({ id: 1, body: 'LGTM from a human' });
    expect(await upsertMrNote(ctx, 'glpat-ci', diff(2, false))).toBe('created');
    expect(await upsertMrNote(ctx, 'glpat-ci', diff(2, false))).toBe('unchanged');
    expect(await upsertMrNote(ctx, 'glpat-ci', diff(0, true))).toBe('updated');
    const mine = gl.s.notes.filter((n) => n.body.startsWith(MR_NOTE_MARKER));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.body).toContain('**0 added**, **1 fixed**');
    expect(gl.s.notes[0]?.body).toBe('LGTM from a human');
    expect(gl.s.statuses.map((s) => s.state)).toEqual(['failed', 'failed', 'success']);
    expect(gl.s.problems).toEqual([]);
  });

  it('GitHub: the same on a pull request', async () => {
    const ctx = ciContextFromEnv({ GITHUB_ACTIONS: 'true', GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF: 'refs/pull/7/merge', GITHUB_SHA: SHA }) as MrContext;
    expect(ctx?.mergeRequest).toBe(7);
    expect(await upsertMrNote(ctx, 'ghs_ci', diff(1, false))).toBe('created');
    expect(await upsertMrNote(ctx, 'ghs_ci', diff(3, false))).toBe('updated');
    expect(gh.s.notes).toHaveLength(1);
    expect(gh.s.notes[0]?.body).toContain('**3 added**');
    expect(gh.s.statuses.map((s) => s.state)).toEqual(['failure', 'failure']);
    expect(gh.s.problems).toEqual([]);
  });
});
