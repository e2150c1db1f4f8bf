import fs from 'node:fs';

/**
 * The CI context of a scan: which pipeline ran it (GitLab CI or GitHub Actions), on which branch and commit, and
 * for which merge / pull request. The CLI records it in the report (`ci`, since report schema 1.2.0) so the server
 * can tell a default-branch scan from a merge-request one, and answer on the merge request. Only the variables
 * named here are read; no token, no other environment.
 */
export interface CiContext {
  provider: 'gitlab' | 'github';
  /** GitLab: CI_API_V4_URL (…/api/v4); GitHub: GITHUB_API_URL. */
  apiUrl: string;
  /** GitLab: CI_PROJECT_ID; GitHub: GITHUB_REPOSITORY (owner/name). */
  project: string;
  /** GitLab: CI_MERGE_REQUEST_IID; GitHub: the pull request number. Absent outside a merge/pull request pipeline. */
  mergeRequest?: number;
  /** The branch the pipeline ran on: the merge request's source branch, else the pushed branch. */
  branch?: string;
  /** The project's default branch: GitLab CI_DEFAULT_BRANCH; GitHub the event's repository default branch, else its base ref / GITHUB_BASE_REF. */
  defaultBranch?: string;
  /** The commit the status goes on (the merge request's head, not a merge-result commit). */
  sha: string;
  pipelineUrl?: string;
}

export const CI_PROVIDERS = ['gitlab', 'github'] as const;

const SHA_RE = /^[0-9a-f]{7,64}$/;
/** Branch names: git's rules, loosely (no control characters, bounded). */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const BRANCH_RE = /^[^\x00-\x20\x7f~^:?*[\\]{1,255}$/;

function httpUrl(v: string | undefined): string | undefined {
  if (!v) return undefined;
  try {
    const u = new URL(v);
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password) return undefined;
    return v.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

function branch(v: unknown): string | undefined {
  return typeof v === 'string' && BRANCH_RE.test(v) ? v : undefined;
}

function positive(v: unknown): number | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '';
  return /^[1-9][0-9]{0,9}$/.test(s) ? Number(s) : undefined;
}

/** The GitHub event payload (GITHUB_EVENT_PATH), when readable: the pull request and the repository's default branch live there. */
function githubEvent(env: NodeJS.ProcessEnv, readFile: (file: string) => string): { pr?: Record<string, unknown>; defaultBranch?: string } {
  if (!env.GITHUB_EVENT_PATH) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(readFile(env.GITHUB_EVENT_PATH));
  } catch {
    return {};
  }
  if (typeof doc !== 'object' || doc === null) return {};
  const d = doc as Record<string, unknown>;
  const pr = typeof d.pull_request === 'object' && d.pull_request !== null ? (d.pull_request as Record<string, unknown>) : undefined;
  const repo = typeof d.repository === 'object' && d.repository !== null ? (d.repository as Record<string, unknown>) : undefined;
  return { ...(pr ? { pr } : {}), ...(branch(repo?.default_branch) ? { defaultBranch: repo?.default_branch as string } : {}) };
}

function field(o: Record<string, unknown> | undefined, a: string, b: string): unknown {
  const x = o?.[a];
  return typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[b] : undefined;
}

function compact(c: CiContext): CiContext {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as CiContext;
}

/**
 * The CI context of the pipeline this process runs in; null outside GitLab CI and GitHub Actions, or when the
 * variables it needs (API URL, project, commit) are missing or malformed.
 */
export function ciContextFromEnv(env: NodeJS.ProcessEnv, readFile: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): CiContext | null {
  if (env.GITLAB_CI === 'true') {
    const apiUrl = httpUrl(env.CI_API_V4_URL) ?? (httpUrl(env.CI_SERVER_URL) ? `${httpUrl(env.CI_SERVER_URL)}/api/v4` : undefined);
    const project = env.CI_PROJECT_ID;
    // A merged-results pipeline runs on a merge commit; the status belongs on the source branch's head.
    const sha = env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA || env.CI_COMMIT_SHA;
    if (!apiUrl || !project || !/^[0-9]+$/.test(project) || !sha || !SHA_RE.test(sha)) return null;
    const iid = env.CI_MERGE_REQUEST_IID;
    if (iid !== undefined && iid !== '' && positive(iid) === undefined) return null;
    return compact({
      provider: 'gitlab',
      apiUrl,
      project,
      mergeRequest: positive(iid),
      branch: branch(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME) ?? branch(env.CI_COMMIT_BRANCH) ?? branch(env.CI_COMMIT_REF_NAME),
      defaultBranch: branch(env.CI_DEFAULT_BRANCH),
      sha,
      pipelineUrl: httpUrl(env.CI_PIPELINE_URL),
    });
  }
  if (env.GITHUB_ACTIONS === 'true') {
    const repo = env.GITHUB_REPOSITORY;
    const apiUrl = httpUrl(env.GITHUB_API_URL) ?? 'https://api.github.com';
    if (!repo || !/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/.test(repo)) return null;
    const event = githubEvent(env, readFile);
    const ref = /^refs\/pull\/([0-9]+)\/(merge|head)$/.exec(env.GITHUB_REF ?? '');
    const mergeRequest = positive(event.pr?.number) ?? positive(ref?.[1]);
    // On a pull_request event GITHUB_SHA is GitHub's merge commit; the status belongs on the PR's head.
    const headSha = field(event.pr, 'head', 'sha');
    const sha = typeof headSha === 'string' && SHA_RE.test(headSha) ? headSha : env.GITHUB_SHA;
    if (!sha || !SHA_RE.test(sha)) return null;
    const server = httpUrl(env.GITHUB_SERVER_URL);
    return compact({
      provider: 'github',
      apiUrl,
      project: repo,
      mergeRequest,
      branch: branch(env.GITHUB_HEAD_REF) ?? branch(field(event.pr, 'head', 'ref')) ?? branch(env.GITHUB_REF_NAME),
      defaultBranch: event.defaultBranch ?? branch(field(event.pr, 'base', 'ref')) ?? branch(env.GITHUB_BASE_REF),
      sha,
      pipelineUrl: server && env.GITHUB_RUN_ID && /^[0-9]+$/.test(env.GITHUB_RUN_ID) ? `${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    });
  }
  return null;
}

/**
 * Whether a report describes its project's default branch (and so becomes the current state of its target):
 * yes without a CI context (an older CLI, a local scan), no for a merge/pull request, and for a CI scan of
 * another branch when the default branch is known.
 */
export function isDefaultBranchScan(ci: CiContext | undefined): boolean {
  if (!ci) return true;
  if (ci.mergeRequest !== undefined) return false;
  if (ci.branch !== undefined && ci.defaultBranch !== undefined) return ci.branch === ci.defaultBranch;
  return true;
}
