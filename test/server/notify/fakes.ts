/**
 * Loopback servers that speak the receivers' documented protocols, for the notification e2e tests.
 * Shapes from the vendors' docs: Slack incoming webhooks + Block Kit (api.slack.com/messaging/webhooks,
 * /reference/block-kit: ≤50 blocks, header plain_text ≤150, section text ≤3000, ≤10 fields, answers "ok",
 * 400 invalid_blocks, 404 no_service, 429 + Retry-After), GitLab REST v4 issues and notes
 * (docs.gitlab.com/api/issues, /api/notes: PRIVATE-TOKEN, labels as a comma list, state_event close|reopen,
 * 401 {"message":"401 Unauthorized"}), Jira Cloud REST v3 (developer.atlassian.com/cloud/jira/platform/rest/v3:
 * GET /search/jql, POST /issue with ADF description, PUT /issue/{key}, POST /issue/{key}/comment,
 * GET|POST /issue/{key}/transitions, basic auth e-mail:token). A real SMTP server (npm smtp-server).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { verifyWebhook } from '../../../src/server/notify/channels/webhook.js';

export interface Canned {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Fake {
  url: string;
  /** Answers to give before the real behaviour (e.g. 429, 500, 503), consumed in order. */
  failNext: Canned[];
  /** Every request, in order, with the protocol problems found in it (empty when valid). */
  requests: { method: string; path: string; body: unknown; problems: string[] }[];
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, body: string, path: string, reply: (status: number, body: unknown, headers?: Record<string, string>) => void) => string[] | void;

async function serve(handler: Handler): Promise<Fake> {
  const fake: Fake = { url: '', failNext: [], requests: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      let parsed: unknown = body;
      try {
        parsed = body ? JSON.parse(body) : null;
      } catch {
        // keep the text
      }
      const record = { method: req.method ?? '', path, body: parsed, problems: [] as string[] };
      fake.requests.push(record);
      const canned = fake.failNext.shift();
      if (canned) {
        res.writeHead(canned.status, canned.headers ?? {});
        res.end(canned.body ?? '');
        return;
      }
      const reply = (status: number, b: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': typeof b === 'string' ? 'text/html' : 'application/json', ...headers });
        res.end(b === null ? '' : typeof b === 'string' ? b : JSON.stringify(b));
      };
      const problems = handler(req, body, path, reply);
      if (problems) record.problems.push(...problems);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- Slack -------------------------------------------------------------------------------------

export const SLACK_PATH = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

export function slackProblems(body: unknown): string[] {
  const p: string[] = [];
  if (!isObj(body)) return ['body is not a JSON object'];
  if (typeof body.text !== 'string') p.push('text (the notification fallback) missing');
  if (!Array.isArray(body.blocks)) return [...p, 'blocks is not an array'];
  if (body.blocks.length > 50) p.push('more than 50 blocks');
  for (const [i, b] of body.blocks.entries()) {
    if (!isObj(b)) {
      p.push(`block ${i} not an object`);
      continue;
    }
    if (b.type === 'header') {
      if (!isObj(b.text) || b.text.type !== 'plain_text' || typeof b.text.text !== 'string' || b.text.text.length > 150) p.push(`block ${i}: header needs plain_text ≤150`);
    } else if (b.type === 'section') {
      const t = b.text;
      if (t !== undefined && (!isObj(t) || !['mrkdwn', 'plain_text'].includes(String(t.type)) || typeof t.text !== 'string' || t.text.length > 3000 || t.text.length === 0)) p.push(`block ${i}: section text invalid`);
      if (b.fields !== undefined && (!Array.isArray(b.fields) || b.fields.length > 10 || b.fields.some((f) => !isObj(f) || typeof f.text !== 'string' || f.text.length > 2000))) p.push(`block ${i}: fields invalid`);
      if (t === undefined && b.fields === undefined) p.push(`block ${i}: section needs text or fields`);
    } else if (b.type === 'context') {
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) p.push(`block ${i}: context elements invalid`);
    } else if (b.type !== 'divider') p.push(`block ${i}: unexpected type ${String(b.type)}`);
  }
  return p;
}

export async function fakeSlack(): Promise<Fake & { messages: { text: string; blocks: unknown[] }[] }> {
  const messages: { text: string; blocks: unknown[] }[] = [];
  const fake = await serve((req, body, path, reply) => {
    if (req.method !== 'POST' || path !== SLACK_PATH) return reply(404, 'no_service'), ['wrong method or path'];
    if (!String(req.headers['content-type']).startsWith('application/json')) return reply(400, 'invalid_payload'), ['not JSON'];
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return reply(400, 'invalid_payload'), ['unparseable JSON'];
    }
    const problems = slackProblems(parsed);
    if (problems.length) return reply(400, 'invalid_blocks'), problems;
    messages.push(parsed as { text: string; blocks: unknown[] });
    reply(200, 'ok');
  });
  return Object.assign(fake, { messages });
}

// ---- Slack Web API (bot token) ---------------------------------------------------------------------

export interface SlackPost {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: unknown[];
}

/**
 * A Slack Web API stand-in for chat.postMessage (api.slack.com/methods/chat.postMessage): POST
 * /api/chat.postMessage with `Authorization: Bearer <bot token>` and a JSON body; HTTP 200 with {ok: false,
 * error} for not_authed (no token), invalid_auth (another), channel_not_found, invalid_blocks (the Block Kit checks
 * above), and {ok: true, channel, ts, message} otherwise; a thread_ts must name a top-level message of the channel.
 * 429 with Retry-After and {ok:false,error:"internal_error"} come from failNext.
 */
export async function fakeSlackApi(token: string, channels: Record<string, string>): Promise<Fake & { posts: SlackPost[] }> {
  const posts: SlackPost[] = [];
  let seq = 100;
  const fake = await serve((req, body, path, reply) => {
    if (req.method !== 'POST' || path !== '/api/chat.postMessage') return reply(404, { ok: false, error: 'unknown_method' }), [`wrong method or path ${req.method} ${path}`];
    const auth = req.headers.authorization;
    if (auth === undefined) return reply(200, { ok: false, error: 'not_authed' }), ['no Authorization'];
    if (auth !== `Bearer ${token}`) return reply(200, { ok: false, error: 'invalid_auth' });
    if (!String(req.headers['content-type']).startsWith('application/json')) return reply(200, { ok: false, error: 'invalid_arguments' }), ['not JSON'];
    let b: unknown;
    try {
      b = JSON.parse(body);
    } catch {
      return reply(200, { ok: false, error: 'invalid_json' }), ['unparseable JSON'];
    }
    if (!isObj(b)) return reply(200, { ok: false, error: 'invalid_arguments' }), ['body not an object'];
    const id = typeof b.channel === 'string' ? (b.channel.startsWith('#') ? channels[b.channel.slice(1)] : Object.values(channels).includes(b.channel) ? b.channel : undefined) : undefined;
    if (!id) return reply(200, { ok: false, error: 'channel_not_found' });
    const problems = slackProblems(b);
    if (problems.length) return reply(200, { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } }), problems;
    let threadTs: string | null = null;
    if (b.thread_ts !== undefined) {
      if (typeof b.thread_ts !== 'string' || !posts.some((p) => p.channel === id && p.ts === b.thread_ts && p.threadTs === null)) return reply(200, { ok: false, error: 'thread_not_found' }), ['thread_ts is not a top-level message of the channel'];
      threadTs = b.thread_ts;
    }
    const ts = `1700000000.${String(seq++).padStart(6, '0')}`;
    posts.push({ channel: id, ts, threadTs, text: String(b.text), blocks: b.blocks as unknown[] });
    reply(200, { ok: true, channel: id, ts, message: { type: 'message', text: b.text, ts, ...(threadTs ? { thread_ts: threadTs } : {}) } });
  });
  return Object.assign(fake, { posts });
}

// ---- generic webhook receiver ------------------------------------------------------------------

export async function fakeWebhook(secret: string): Promise<Fake & { verified: Record<string, unknown>[]; rejected: string[]; deliveryIds: string[] }> {
  const verified: Record<string, unknown>[] = [];
  const rejected: string[] = [];
  const deliveryIds: string[] = [];
  const fake = await serve((req, body, path, reply) => {
    if (req.method !== 'POST' || path !== '/hooks/bulwark') return reply(404, { error: 'not found' }), ['wrong method or path'];
    const v = verifyWebhook(secret, { timestamp: req.headers['x-bulwark-timestamp'] as string | undefined, signature: req.headers['x-bulwark-signature'] as string | undefined }, body);
    if (!v.ok) {
      rejected.push(v.reason);
      return reply(401, { error: v.reason }), [v.reason];
    }
    const id = String(req.headers['x-bulwark-delivery'] ?? '');
    // An idempotent receiver: a repeated delivery id is acknowledged, not processed again.
    if (!deliveryIds.includes(id)) {
      deliveryIds.push(id);
      verified.push(JSON.parse(body) as Record<string, unknown>);
    }
    reply(204, null);
  });
  return Object.assign(fake, { verified, rejected, deliveryIds });
}

// ---- GitLab v4 issues --------------------------------------------------------------------------

export interface GitlabIssue {
  iid: number;
  title: string;
  description: string;
  labels: string[];
  state: 'opened' | 'closed';
  notes: string[];
}

export async function fakeGitlab(token: string, projectId: string): Promise<Fake & { issues: GitlabIssue[] }> {
  const issues: GitlabIssue[] = [];
  const base = `/api/v4/projects/${encodeURIComponent(projectId)}/issues`;
  const json = (i: GitlabIssue) => ({ id: 1000 + i.iid, iid: i.iid, project_id: 1, title: i.title, description: i.description, labels: i.labels, state: i.state, web_url: `http://gitlab.local/${projectId}/-/issues/${i.iid}` });
  const fake = await serve((req, body, path, reply) => {
    if (req.headers['private-token'] !== token) return reply(401, { message: '401 Unauthorized' }), ['bad or missing PRIVATE-TOKEN'];
    const u = new URL(path, 'http://x');
    if (!u.pathname.startsWith(base)) return reply(404, { message: '404 Project Not Found' }), ['unknown project path'];
    const rest = u.pathname.slice(base.length);
    const b: unknown = body ? JSON.parse(body) : {};
    if (!isObj(b)) return reply(400, { error: 'body is not an object' }), ['body not an object'];
    if (req.method === 'GET' && rest === '') {
      const labels = (u.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const state = u.searchParams.get('state') ?? 'opened';
      if (!['opened', 'closed', 'all'].includes(state)) return reply(400, { error: 'state does not have a valid value' }), ['bad state'];
      const perPage = Number(u.searchParams.get('per_page') ?? '20');
      return reply(200, issues.filter((i) => labels.every((l) => i.labels.includes(l)) && (state === 'all' || i.state === state)).slice(0, perPage).map(json));
    }
    if (req.method === 'POST' && rest === '') {
      if (typeof b.title !== 'string' || b.title === '') return reply(400, { error: 'title is missing' }), ['title missing'];
      if (b.labels !== undefined && typeof b.labels !== 'string') return reply(400, { error: 'labels is invalid' }), ['labels must be a comma-separated string'];
      const i: GitlabIssue = { iid: issues.length + 1, title: b.title, description: typeof b.description === 'string' ? b.description : '', labels: String(b.labels ?? '').split(',').filter(Boolean), state: 'opened', notes: [] };
      issues.push(i);
      return reply(201, json(i));
    }
    const m = /^\/([0-9]+)(\/notes)?$/.exec(rest);
    const issue = m ? issues.find((i) => i.iid === Number(m[1])) : undefined;
    if (!m || !issue) return reply(404, { message: '404 Not found' }), ['unknown issue'];
    if (req.method === 'PUT' && !m[2]) {
      if (b.state_event !== undefined && b.state_event !== 'close' && b.state_event !== 'reopen') return reply(400, { error: 'state_event does not have a valid value' }), ['bad state_event'];
      if (typeof b.title === 'string') issue.title = b.title;
      if (typeof b.description === 'string') issue.description = b.description;
      if (b.state_event === 'close') issue.state = 'closed';
      if (b.state_event === 'reopen') issue.state = 'opened';
      return reply(200, json(issue));
    }
    if (req.method === 'POST' && m[2]) {
      if (typeof b.body !== 'string' || b.body === '') return reply(400, { error: 'body is missing' }), ['note body missing'];
      issue.notes.push(b.body);
      return reply(201, { id: issue.notes.length, body: b.body });
    }
    return reply(405, { message: '405 Method Not Allowed' }), ['method not allowed'];
  });
  return Object.assign(fake, { issues });
}

// ---- Jira Cloud REST v3 ------------------------------------------------------------------------

export interface JiraIssue {
  key: string;
  summary: string;
  description: unknown;
  labels: string[];
  status: 'To Do' | 'Done';
  comments: unknown[];
}

function isAdf(d: unknown): boolean {
  return isObj(d) && d.type === 'doc' && d.version === 1 && Array.isArray(d.content);
}

/** Jira Cloud (v3, basic auth e-mail:token, ADF) or, with `email` null, Data Center (v2, Bearer PAT, plain text). */
export async function fakeJira(email: string | null, token: string, projectKey: string): Promise<Fake & { issues: JiraIssue[] }> {
  const issues: JiraIssue[] = [];
  const v = email === null ? '2' : '3';
  const auth = email === null ? `Bearer ${token}` : `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
  const isDoc = (d: unknown): boolean => (v === '3' ? isAdf(d) : typeof d === 'string');
  const status = (i: JiraIssue) => ({ name: i.status, statusCategory: { key: i.status === 'Done' ? 'done' : 'new' } });
  const fake = await serve((req, body, path, reply) => {
    if (req.headers.authorization !== auth) return reply(401, { errorMessages: ['You are not authenticated.'] }), ['bad auth'];
    const u = new URL(path, 'http://x');
    const b: unknown = body ? JSON.parse(body) : {};
    if (req.method === 'GET' && u.pathname === (v === '3' ? '/rest/api/3/search/jql' : '/rest/api/2/search')) {
      const jql = u.searchParams.get('jql') ?? '';
      const m = /labels = "([^"]+)"/.exec(jql);
      if (!m || !jql.includes(`project = "${projectKey}"`)) return reply(400, { errorMessages: ['unsupported JQL in this fake'] }), ['unexpected JQL'];
      const found = issues.filter((i) => i.labels.includes(m[1] as string));
      return reply(200, { issues: found.map((i) => ({ id: i.key, key: i.key, fields: { summary: i.summary, description: i.description, status: status(i) } })), isLast: true });
    }
    if (req.method === 'POST' && u.pathname === `/rest/api/${v}/issue`) {
      const f = isObj(b) && isObj(b.fields) ? b.fields : null;
      const problems: string[] = [];
      if (!f) problems.push('fields missing');
      else {
        if (!isObj(f.project) || f.project.key !== projectKey) problems.push('fields.project.key');
        if (typeof f.summary !== 'string' || f.summary.length === 0 || f.summary.length > 255) problems.push('fields.summary');
        if (!isObj(f.issuetype) || typeof f.issuetype.name !== 'string') problems.push('fields.issuetype');
        if (!isDoc(f.description)) problems.push(`fields.description must be ${v === '3' ? 'ADF' : 'text'} in v${v}`);
        if (!Array.isArray(f.labels) || f.labels.some((l) => typeof l !== 'string' || /\s/.test(l))) problems.push('fields.labels');
      }
      if (problems.length || !f) return reply(400, { errorMessages: [], errors: Object.fromEntries(problems.map((p) => [p, 'invalid'])) }), problems;
      const i: JiraIssue = { key: `${projectKey}-${issues.length + 1}`, summary: String(f.summary), description: f.description, labels: f.labels as string[], status: 'To Do', comments: [] };
      issues.push(i);
      return reply(201, { id: String(10000 + issues.length), key: i.key, self: `${fake.url}/rest/api/${v}/issue/${i.key}` });
    }
    const m = new RegExp(`^/rest/api/${v}/issue/([A-Z][A-Z0-9_]*-[0-9]+)(/comment|/transitions)?$`).exec(u.pathname);
    const issue = m ? issues.find((i) => i.key === m[1]) : undefined;
    if (!m || !issue) return reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'] }), ['unknown issue'];
    if (req.method === 'PUT' && !m[2]) {
      const f = isObj(b) && isObj(b.fields) ? b.fields : null;
      if (!f || (f.description !== undefined && !isDoc(f.description))) return reply(400, { errorMessages: ['bad fields'] }), ['bad update'];
      if (typeof f.summary === 'string') issue.summary = f.summary;
      if (f.description !== undefined) issue.description = f.description;
      return reply(204, null);
    }
    if (req.method === 'POST' && m[2] === '/comment') {
      if (!isObj(b) || !isDoc(b.body)) return reply(400, { errorMessages: ['bad comment body'] }), ['comment body of the wrong form'];
      issue.comments.push(b.body);
      return reply(201, { id: String(issue.comments.length) });
    }
    if (req.method === 'GET' && m[2] === '/transitions') {
      return reply(200, { transitions: issue.status === 'Done' ? [{ id: '31', name: 'Reopen', to: { name: 'To Do', statusCategory: { key: 'new' } } }] : [{ id: '21', name: 'In Progress', to: { name: 'In Progress', statusCategory: { key: 'indeterminate' } } }, { id: '41', name: 'Done', to: { name: 'Done', statusCategory: { key: 'done' } } }] });
    }
    if (req.method === 'POST' && m[2] === '/transitions') {
      const id = isObj(b) && isObj(b.transition) ? b.transition.id : undefined;
      if (id === '41' && issue.status !== 'Done') issue.status = 'Done';
      else if (id === '31' && issue.status === 'Done') issue.status = 'To Do';
      else return reply(400, { errorMessages: ['Transition id is not valid for this issue.'] }), ['bad transition'];
      return reply(204, null);
    }
    return reply(405, { errorMessages: ['Method not allowed'] }), ['method not allowed'];
  });
  return Object.assign(fake, { issues });
}

// ---- merge-request notes: GitLab v4 and GitHub REST ----------------------------------------------

export interface ForgeNote {
  id: number;
  body: string;
  author: string;
}

export interface ForgeStatus {
  sha: string;
  state: string;
  name: string;
  description: string | null;
  targetUrl: string | null;
}

/**
 * A GitLab v4 stand-in for merge-request notes and commit statuses (docs.gitlab.com/api/notes/#merge-requests,
 * /api/commits/#set-the-pipeline-status-of-a-commit): PRIVATE-TOKEN or Authorization: Bearer, 401 otherwise;
 * GET/POST /projects/:id/merge_requests/:iid/notes (sort asc|desc, order_by created_at|updated_at, per_page ≤ 100,
 * page), PUT …/notes/:note_id, POST /projects/:id/statuses/:sha (state pending|running|success|failed|canceled|skipped,
 * name, description ≤ 255, target_url; the same state again for a sha and name is refused with 400 "Cannot transition
 * status"), GET /user. Unknown projects, merge requests and notes are 404; a human's note is there from the start.
 */
export async function fakeGitlabMr(token: string, projectId: string, mergeRequests: number[]): Promise<Fake & { notes: Map<number, ForgeNote[]>; statuses: ForgeStatus[] }> {
  const notes = new Map<number, ForgeNote[]>(mergeRequests.map((iid) => [iid, [{ id: 1, body: 'Looks good to me (a human)', author: 'alice' }]]));
  const statuses: ForgeStatus[] = [];
  let nextId = 100;
  const project = `/api/v4/projects/${encodeURIComponent(projectId)}`;
  const fake = await serve((req, body, path, reply) => {
    const auth = req.headers['private-token'] === token || req.headers.authorization === `Bearer ${token}`;
    if (!auth) return reply(401, { message: '401 Unauthorized' }), ['bad or missing PRIVATE-TOKEN / Bearer token'];
    const u = new URL(path, 'http://x');
    let b: unknown = {};
    if (body) {
      try {
        b = JSON.parse(body);
      } catch {
        return reply(400, { error: 'body is not JSON' }), ['unparseable JSON'];
      }
    }
    if (!isObj(b)) return reply(400, { error: 'body is not an object' }), ['body not an object'];
    if (req.method === 'GET' && u.pathname === '/api/v4/user') return reply(200, { id: 7, username: 'project_42_bot' });
    if (!u.pathname.startsWith(project + '/')) return reply(404, { message: '404 Project Not Found' }), [`unknown project path ${u.pathname}`];
    const rest = u.pathname.slice(project.length);
    const st = /^\/statuses\/([0-9a-f]{40})$/.exec(rest);
    if (st) {
      if (req.method !== 'POST') return reply(405, { message: '405 Method Not Allowed' }), ['statuses: not POST'];
      const states = ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'];
      if (!states.includes(String(b.state))) return reply(400, { error: 'state does not have a valid value' }), [`bad status state ${String(b.state)}`];
      if (b.name !== undefined && typeof b.name !== 'string') return reply(400, { error: 'name is invalid' }), ['bad status name'];
      if (b.description !== undefined && (typeof b.description !== 'string' || b.description.length > 255)) return reply(400, { error: 'description is too long' }), ['bad status description'];
      if (b.target_url !== undefined && (typeof b.target_url !== 'string' || !/^https?:\/\//.test(b.target_url))) return reply(400, { error: 'target_url is invalid' }), ['bad target_url'];
      const name = typeof b.name === 'string' ? b.name : 'default';
      const last = statuses.filter((x) => x.sha === st[1] && x.name === name).at(-1);
      if (last && last.state === b.state) return reply(400, { message: `Cannot transition status via :${String(b.state)} from :${last.state}` });
      statuses.push({ sha: st[1] as string, state: String(b.state), name, description: typeof b.description === 'string' ? b.description : null, targetUrl: typeof b.target_url === 'string' ? b.target_url : null });
      return reply(201, { id: statuses.length, sha: st[1], status: b.state, name });
    }
    const m = /^\/merge_requests\/([0-9]+)\/notes(?:\/([0-9]+))?$/.exec(rest);
    const list = m ? notes.get(Number(m[1])) : undefined;
    if (!m || !list) return reply(404, { message: '404 Not found' }), [`unknown merge request path ${rest}`];
    const json = (n: ForgeNote) => ({ id: n.id, type: null, body: n.body, author: { username: n.author }, system: false, noteable_type: 'MergeRequest', noteable_iid: Number(m[1]) });
    if (!m[2] && req.method === 'GET') {
      const sort = u.searchParams.get('sort') ?? 'desc';
      const orderBy = u.searchParams.get('order_by') ?? 'created_at';
      const perPage = Number(u.searchParams.get('per_page') ?? '20');
      const page = Number(u.searchParams.get('page') ?? '1');
      if (!['asc', 'desc'].includes(sort) || !['created_at', 'updated_at'].includes(orderBy) || !(perPage >= 1 && perPage <= 100) || !(page >= 1)) return reply(400, { error: 'invalid list parameters' }), ['bad list parameters'];
      const sorted = sort === 'asc' ? list : [...list].reverse();
      return reply(200, sorted.slice((page - 1) * perPage, page * perPage).map(json), { 'x-page': String(page), 'x-per-page': String(perPage), 'x-total': String(list.length) });
    }
    if (!m[2] && req.method === 'POST') {
      if (typeof b.body !== 'string' || b.body === '' || b.body.length > 1_000_000) return reply(400, { error: 'body is missing' }), ['note body missing or too long'];
      const n = { id: nextId++, body: b.body, author: 'project_42_bot' };
      list.push(n);
      return reply(201, json(n));
    }
    if (m[2] && req.method === 'PUT') {
      const n = list.find((x) => x.id === Number(m[2]));
      if (!n) return reply(404, { message: '404 Not found' });
      if (typeof b.body !== 'string' || b.body === '') return reply(400, { error: 'body is missing' }), ['note update without body'];
      n.body = b.body;
      return reply(200, json(n));
    }
    return reply(405, { message: '405 Method Not Allowed' }), [`method ${req.method} not allowed on ${rest}`];
  });
  return Object.assign(fake, { notes, statuses });
}

/**
 * A GitHub REST stand-in for pull-request comments and commit statuses (docs.github.com/rest/issues/comments,
 * /rest/commits/statuses): Authorization: Bearer (or token), 401 {"message":"Bad credentials"} otherwise; an
 * X-GitHub-Api-Version other than 2022-11-28 is 400; GET/POST /repos/:o/:r/issues/:n/comments (per_page ≤ 100,
 * page), PATCH /repos/:o/:r/issues/comments/:id, POST /repos/:o/:r/statuses/:sha (state error|failure|pending|success,
 * 422 otherwise), GET /rate_limit.
 */
export async function fakeGithub(token: string, repo: string, pulls: number[]): Promise<Fake & { comments: Map<number, ForgeNote[]>; statuses: ForgeStatus[] }> {
  const comments = new Map<number, ForgeNote[]>(pulls.map((n) => [n, [{ id: 1, body: 'Please also bump the lockfile (a human)', author: 'octocat' }]]));
  const statuses: ForgeStatus[] = [];
  let nextId = 5000;
  const base = `/repos/${repo}`;
  const fake = await serve((req, body, path, reply) => {
    const auth = req.headers.authorization === `Bearer ${token}` || req.headers.authorization === `token ${token}`;
    if (!auth) return reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }), ['bad or missing Authorization'];
    const version = req.headers['x-github-api-version'];
    if (version !== undefined && version !== '2022-11-28') return reply(400, { message: `Unsupported API version ${String(version)}` }), ['unsupported API version'];
    const u = new URL(path, 'http://x');
    let b: unknown = {};
    if (body) {
      try {
        b = JSON.parse(body);
      } catch {
        return reply(400, { message: 'Problems parsing JSON' }), ['unparseable JSON'];
      }
    }
    if (!isObj(b)) return reply(400, { message: 'Problems parsing JSON' }), ['body not an object'];
    if (req.method === 'GET' && u.pathname === '/rate_limit') return reply(200, { resources: { core: { limit: 5000, remaining: 4999 } } });
    if (!u.pathname.startsWith(base + '/')) return reply(404, { message: 'Not Found' }), [`unknown repository path ${u.pathname}`];
    const rest = u.pathname.slice(base.length);
    const json = (c: ForgeNote) => ({ id: c.id, body: c.body, user: { login: c.author } });
    const st = /^\/statuses\/([0-9a-f]{40})$/.exec(rest);
    if (st) {
      if (req.method !== 'POST') return reply(404, { message: 'Not Found' }), ['statuses: not POST'];
      if (!['error', 'failure', 'pending', 'success'].includes(String(b.state))) return reply(422, { message: 'Validation Failed', errors: [{ field: 'state', code: 'invalid' }] }), [`bad status state ${String(b.state)}`];
      if (b.description !== undefined && b.description !== null && typeof b.description !== 'string') return reply(422, { message: 'Validation Failed' }), ['bad description'];
      if (b.target_url !== undefined && (typeof b.target_url !== 'string' || !/^https?:\/\//.test(b.target_url))) return reply(422, { message: 'Validation Failed' }), ['bad target_url'];
      const s = { sha: st[1] as string, state: String(b.state), name: typeof b.context === 'string' ? b.context : 'default', description: typeof b.description === 'string' ? b.description : null, targetUrl: typeof b.target_url === 'string' ? b.target_url : null };
      statuses.push(s);
      return reply(201, { id: statuses.length, state: s.state, context: s.name });
    }
    const one = /^\/issues\/comments\/([0-9]+)$/.exec(rest);
    if (one) {
      if (req.method !== 'PATCH') return reply(404, { message: 'Not Found' }), [`${req.method} on a comment`];
      const c = [...comments.values()].flat().find((x) => x.id === Number(one[1]));
      if (!c) return reply(404, { message: 'Not Found' });
      if (typeof b.body !== 'string') return reply(422, { message: 'Validation Failed' }), ['comment update without body'];
      c.body = b.body;
      return reply(200, json(c));
    }
    const m = /^\/issues\/([0-9]+)\/comments$/.exec(rest);
    const list = m ? comments.get(Number(m[1])) : undefined;
    if (!m || !list) return reply(404, { message: 'Not Found' }), [`unknown pull request path ${rest}`];
    if (req.method === 'GET') {
      const perPage = Number(u.searchParams.get('per_page') ?? '30');
      const page = Number(u.searchParams.get('page') ?? '1');
      if (!(perPage >= 1 && perPage <= 100) || !(page >= 1)) return reply(422, { message: 'Validation Failed' }), ['bad list parameters'];
      return reply(200, list.slice((page - 1) * perPage, page * perPage).map(json));
    }
    if (req.method === 'POST') {
      if (typeof b.body !== 'string' || b.body === '' || b.body.length > 65536) return reply(422, { message: 'Validation Failed', errors: [{ field: 'body', code: 'missing_field' }] }), ['comment body missing or too long'];
      const c = { id: nextId++, body: b.body, author: 'github-actions[bot]' };
      list.push(c);
      return reply(201, json(c));
    }
    return reply(404, { message: 'Not Found' }), [`method ${req.method} on ${rest}`];
  });
  return Object.assign(fake, { comments, statuses });
}

// ---- SMTP (a real SMTP server) -----------------------------------------------------------------

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export async function fakeSmtp(): Promise<{ port: number; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
