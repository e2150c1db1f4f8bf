import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/server/notify/delivery-error.js';
import type { Forge, MrDiff, MrRef } from '../../../src/server/notify/mr-note.js';
import { MR_NOTE_MARKER, checkForge, forgeServes, mrKey, setCommitStatus, upsertMrNote } from '../../../src/server/notify/mr-note.js';
import { fakeGitlabMr, fakeGithub } from './fakes.js';

/** The note and status calls against the GitLab v4 and GitHub REST stand-ins (fakes.ts), which check auth, paths, methods and bodies. */
const SHA = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);
const diff = (added: number, passed: boolean): MrDiff => ({
  project: 'shop',
  base: 'main',
  added: Array.from({ length: added }, (_, i) => ({ id: `CVE-2021-2333${i}`, severity: 'HIGH' as const, package: 'lodash', version: '4.17.4', fixedVersion: '4.17.21' })),
  fixed: [{ id: 'CVE-2021-44906', severity: 'CRITICAL', package: 'minimist', version: '1.2.5', fixedVersion: '1.2.6' }],
  gate: { passed, reason: passed ? 'no finding at or above HIGH' : `${added} finding(s) at or above HIGH` },
  dashboardUrl: null,
});

describe('merge-request and pull-request notes, updated in place', () => {
  let gl: Awaited<ReturnType<typeof fakeGitlabMr>>;
  let gh: Awaited<ReturnType<typeof fakeGithub>>;
  let glForge: Forge;
  let ghForge: Forge;
  beforeAll(async () => {
    [gl, gh] = await Promise.all([fakeGitlabMr('glpat-ci', '42', [7, 8, 9]), fakeGithub('ghs_ci', 'acme/shop', [7])]);
    glForge = { provider: 'gitlab', apiUrl: `${gl.url}/api/v4`, token: 'glpat-ci' };
    ghForge = { provider: 'github', apiUrl: gh.url, token: 'ghs_ci' };
  });
  afterAll(async () => {
    await Promise.all([gl.close(), gh.close()]);
  });
  const problems = (f: { requests: { problems: string[] }[] }) => f.requests.flatMap((r) => r.problems);

  it('GitLab: one note across pushes (created, unchanged, updated) beside a human note; the commit status', async () => {
    const mr: MrRef = { project: '42', mergeRequest: 7, sha: SHA };
    const first = await upsertMrNote(glForge, mr, diff(2, false));
    expect(first.outcome).toBe('created');
    const requestsBefore = gl.requests.length;
    expect((await upsertMrNote(glForge, mr, diff(2, false), first.note)).outcome).toBe('unchanged');
    expect(gl.requests.length).toBe(requestsBefore);
    const third = await upsertMrNote(glForge, { ...mr, sha: SHA2 }, diff(0, true), first.note);
    expect(third.outcome).toBe('updated');
    expect(third.note.noteId).toBe(first.note.noteId);
    const notes = gl.notes.get(7) ?? [];
    expect(notes.filter((n) => n.body.startsWith(MR_NOTE_MARKER))).toHaveLength(1);
    expect(notes[0]?.body).toBe('Looks good to me (a human)');
    expect(notes[1]?.body).toContain('**0 added**, **1 fixed**');
    await setCommitStatus(glForge, mr, { passed: false, reason: '2 finding(s) at or above HIGH' }, 'https://bulwark.example.com/#/projects/shop');
    await setCommitStatus(glForge, { ...mr, sha: SHA2 }, { passed: true, reason: 'ok' }, null);
    // A re-run pipeline of the same commit with the same result: GitLab's 400 "Cannot transition status" is success.
    await setCommitStatus(glForge, { ...mr, sha: SHA2 }, { passed: true, reason: 'ok' }, null);
    expect(gl.statuses.map((s) => [s.sha, s.state, s.name])).toEqual([[SHA, 'failed', 'bulwark'], [SHA2, 'success', 'bulwark']]);
    expect(problems(gl)).toEqual([]);
  });

  it('GitLab: without a stored id the note is found by its marker on a later page; a deleted note is posted again', async () => {
    const mr: MrRef = { project: '42', mergeRequest: 8, sha: SHA };
    const list = gl.notes.get(8)!;
    for (let i = 0; i < 130; i++) list.push({ id: 10_000 + i, body: `comment ${i}`, author: 'bob' });
    const created = await upsertMrNote(glForge, mr, diff(1, false));
    expect(created.outcome).toBe('created');
    expect((await upsertMrNote(glForge, mr, diff(3, false))).outcome).toBe('updated');
    expect(list.filter((n) => n.body.startsWith(MR_NOTE_MARKER))).toHaveLength(1);
    list.splice(list.findIndex((n) => n.body.startsWith(MR_NOTE_MARKER)), 1);
    const again = await upsertMrNote(glForge, mr, diff(4, false), created.note);
    expect(again.outcome).toBe('created');
    expect(list.filter((n) => n.body.startsWith(MR_NOTE_MARKER))).toHaveLength(1);
    expect(problems(gl)).toEqual([]);
  });

  it('GitLab: 429 with Retry-After and 5xx are retryable with the delay; a bad token is permanent; another project is 404', async () => {
    const mr: MrRef = { project: '42', mergeRequest: 9, sha: SHA };
    gl.failNext.push({ status: 429, headers: { 'retry-after': '7' }, body: '{"message":"429 Too Many Requests"}' });
    const e429 = await upsertMrNote(glForge, mr, diff(1, false)).catch((e: unknown) => e);
    expect(e429).toBeInstanceOf(DeliveryError);
    expect(e429).toMatchObject({ retryable: true, retryAfterMs: 7000, status: 429 });
    gl.failNext.push({ status: 502 });
    expect(await upsertMrNote(glForge, mr, diff(1, false)).catch((e: unknown) => e)).toMatchObject({ retryable: true, status: 502 });
    expect(await upsertMrNote({ ...glForge, token: 'wrong' }, mr, diff(1, false)).catch((e: unknown) => e)).toMatchObject({ retryable: false, status: 401 });
    expect(await upsertMrNote(glForge, { ...mr, project: '43' }, diff(1, false)).catch((e: unknown) => e)).toMatchObject({ retryable: false, status: 404 });
    expect(gl.notes.get(9)?.filter((n) => n.body.startsWith(MR_NOTE_MARKER))).toHaveLength(0);
    expect((await upsertMrNote(glForge, mr, diff(1, false))).outcome).toBe('created');
  });

  it('GitHub: the same on a pull request (issue comments, PATCH, statuses)', async () => {
    const mr: MrRef = { project: 'acme/shop', mergeRequest: 7, sha: SHA };
    const first = await upsertMrNote(ghForge, mr, diff(1, false));
    expect(first.outcome).toBe('created');
    expect((await upsertMrNote(ghForge, mr, diff(3, false), first.note)).outcome).toBe('updated');
    await setCommitStatus(ghForge, mr, { passed: false, reason: '3 finding(s) at or above HIGH' }, null);
    const mine = (gh.comments.get(7) ?? []).filter((c) => c.body.startsWith(MR_NOTE_MARKER));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.body).toContain('**3 added**');
    expect(gh.statuses.map((s) => [s.state, s.name])).toEqual([['failure', 'bulwark']]);
    expect(problems(gh)).toEqual([]);
    expect(await upsertMrNote({ ...ghForge, token: 'nope' }, mr, diff(1, false)).catch((e: unknown) => e)).toMatchObject({ retryable: false, status: 401 });
  });

  it('channel test reads the API as the token, posting nothing', async () => {
    expect(await checkForge(glForge)).toBe(`gitlab: reached ${new URL(gl.url).host} as project_42_bot (merge-request notes; nothing posted)`);
    expect(await checkForge(ghForge)).toMatch(/^github: reached 127\.0\.0\.1:/);
  });

  it('a forge serves a report only for its own API URL; one key per merge request', () => {
    expect(forgeServes(glForge, { provider: 'gitlab', apiUrl: `${gl.url.toUpperCase().replace('HTTP', 'http')}/api/v4/` })).toBe(true);
    expect(forgeServes(glForge, { provider: 'gitlab', apiUrl: 'https://evil.example.com/api/v4' })).toBe(false);
    expect(forgeServes(glForge, { provider: 'github', apiUrl: `${gl.url}/api/v4` })).toBe(false);
    expect(mrKey({ provider: 'gitlab', apiUrl: 'https://GitLab.example.com/api/v4/', project: '42', mergeRequest: 7 })).toBe(mrKey({ provider: 'gitlab', apiUrl: 'https://gitlab.example.com/api/v4', project: '42', mergeRequest: 7 }));
  });
});
