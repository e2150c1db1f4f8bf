import { describe, expect, it } from 'vitest';
import { ciContextFromEnv, isDefaultBranchScan } from './ci.js';
import { validateReport } from '../report/schema.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const HEAD = 'fedcba9876543210fedcba9876543210fedcba98';

const GITLAB_MR = {
  GITLAB_CI: 'true',
  CI_API_V4_URL: 'https://gitlab.example.com/api/v4',
  CI_PROJECT_ID: '42',
  CI_MERGE_REQUEST_IID: '7',
  CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/x',
  CI_COMMIT_REF_NAME: 'feature/x',
  CI_DEFAULT_BRANCH: 'main',
  CI_COMMIT_SHA: SHA,
  CI_PIPELINE_URL: 'https://gitlab.example.com/g/p/-/pipelines/9',
  CI_JOB_TOKEN: 'glcbt-secret-job-token',
  GITLAB_TOKEN: 'glpat-secret',
};

describe('CI context from the environment', () => {
  it('GitLab merge-request pipeline: API, project, MR, branches, commit, pipeline; no token', () => {
    const ci = ciContextFromEnv(GITLAB_MR);
    expect(ci).toEqual({ provider: 'gitlab', apiUrl: 'https://gitlab.example.com/api/v4', project: '42', mergeRequest: 7, branch: 'feature/x', defaultBranch: 'main', sha: SHA, pipelineUrl: 'https://gitlab.example.com/g/p/-/pipelines/9' });
    expect(JSON.stringify(ci)).not.toMatch(/secret/);
  });

  it('GitLab merged-results pipeline: the status goes on the source head, not the merge commit', () => {
    expect(ciContextFromEnv({ ...GITLAB_MR, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: HEAD })?.sha).toBe(HEAD);
  });

  it('GitLab branch pipeline: no merge request; CI_SERVER_URL when CI_API_V4_URL is absent', () => {
    const ci = ciContextFromEnv({ GITLAB_CI: 'true', CI_SERVER_URL: 'https://gl.example.com/', CI_PROJECT_ID: '42', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main', CI_COMMIT_SHA: SHA });
    expect(ci).toEqual({ provider: 'gitlab', apiUrl: 'https://gl.example.com/api/v4', project: '42', branch: 'main', defaultBranch: 'main', sha: SHA });
    expect(isDefaultBranchScan(ci ?? undefined)).toBe(true);
  });

  it('GitHub pull_request event: number, head sha and branches from the event payload, default branch of the repository', () => {
    const event = JSON.stringify({ pull_request: { number: 12, head: { sha: HEAD, ref: 'fix-qs' }, base: { ref: 'release' } }, repository: { default_branch: 'main' } });
    const ci = ciContextFromEnv(
      { GITHUB_ACTIONS: 'true', GITHUB_API_URL: 'https://api.github.com', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF: 'refs/pull/12/merge', GITHUB_SHA: SHA, GITHUB_HEAD_REF: 'fix-qs', GITHUB_BASE_REF: 'release', GITHUB_RUN_ID: '555', GITHUB_EVENT_PATH: '/event.json', GITHUB_TOKEN: 'ghs_secret' },
      (f) => (f === '/event.json' ? event : ''),
    );
    expect(ci).toEqual({ provider: 'github', apiUrl: 'https://api.github.com', project: 'acme/shop', mergeRequest: 12, branch: 'fix-qs', defaultBranch: 'main', sha: HEAD, pipelineUrl: 'https://github.com/acme/shop/actions/runs/555' });
    expect(isDefaultBranchScan(ci ?? undefined)).toBe(false);
  });

  it('GitHub without an event file: the PR number from GITHUB_REF, the default branch from GITHUB_BASE_REF', () => {
    const ci = ciContextFromEnv({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF: 'refs/pull/3/merge', GITHUB_SHA: SHA, GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'x' });
    expect(ci).toMatchObject({ apiUrl: 'https://api.github.com', mergeRequest: 3, branch: 'x', defaultBranch: 'main', sha: SHA });
  });

  it('GitHub push to a branch other than the default one is not the default branch state', () => {
    const event = JSON.stringify({ repository: { default_branch: 'main' } });
    const ci = ciContextFromEnv({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'a/b', GITHUB_SHA: SHA, GITHUB_REF: 'refs/heads/dev', GITHUB_REF_NAME: 'dev', GITHUB_EVENT_PATH: 'e' }, () => event);
    expect(ci).toMatchObject({ branch: 'dev', defaultBranch: 'main' });
    expect(ci?.mergeRequest).toBeUndefined();
    expect(isDefaultBranchScan(ci ?? undefined)).toBe(false);
  });

  it('none outside CI, or when what it needs is missing or malformed', () => {
    expect(ciContextFromEnv({})).toBeNull();
    expect(ciContextFromEnv({ CI: 'true' })).toBeNull();
    expect(ciContextFromEnv({ GITLAB_CI: 'true', CI_PROJECT_ID: '42', CI_COMMIT_SHA: SHA })).toBeNull();
    expect(ciContextFromEnv({ ...GITLAB_MR, CI_MERGE_REQUEST_IID: '7; rm -rf' })).toBeNull();
    expect(ciContextFromEnv({ ...GITLAB_MR, CI_COMMIT_SHA: 'not-a-sha' })).toBeNull();
    expect(ciContextFromEnv({ ...GITLAB_MR, CI_API_V4_URL: 'https://user:pw@gitlab.example.com/api/v4', CI_SERVER_URL: undefined })).toBeNull();
    expect(ciContextFromEnv({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: '../../etc', GITHUB_SHA: SHA })).toBeNull();
  });

  it('the recorded block passes the report schema; a token-like extra key does not', () => {
    const base = { schemaVersion: '1.2.0', tool: { name: 'bulwark', version: 't' }, createdAt: '2026-01-01T00:00:00Z', target: { kind: 'directory', name: '.' }, os: null, packages: [], findings: [], unknowns: [], errors: [], gate: { failOn: 'HIGH', includeUnfixed: false, excludeDev: false, passed: true, reason: 'ok', violations: [] } };
    const ci = ciContextFromEnv(GITLAB_MR);
    expect(validateReport({ ...base, ci })).toEqual([]);
    expect(validateReport({ ...base, ci: { ...ci, token: 'x' } })).not.toEqual([]);
  });

  it('scans without CI context are the default branch (older CLIs, local scans)', () => {
    expect(isDefaultBranchScan(undefined)).toBe(true);
  });
});
