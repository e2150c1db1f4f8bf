import crypto from 'node:crypto';
import type { CiContext } from '../../core/ci.js';
import type { Severity } from '../../core/severity.js';
import { severityRank } from '../../core/severity.js';
import { DeliveryError } from './delivery-error.js';
import { isRecord, restJson } from './channels/rest.js';
import type { ChannelConfig } from './channels/types.js';

/**
 * Merge-request / pull-request notes: one note per MR listing what the branch adds and fixes compared with the
 * default branch, updated in place on each push (found again by the id Bulwark stored, else by its marker; never
 * a new note per pipeline), and a commit status with the gate's result. GitLab REST v4 (MR notes, commit
 * statuses) and GitHub REST (issue comments, commit statuses). Plain fetch (channels/rest.ts): four calls, and
 * the retry policy needs each answer's status and Retry-After.
 */

/** Where the server talks to: the channel's API and token (never the URL a report names). */
export interface Forge {
  provider: 'gitlab' | 'github';
  /** GitLab …/api/v4; GitHub https://api.github.com or …/api/v3. */
  apiUrl: string;
  token: string;
}

/** A merge/pull request: the forge's project (GitLab id, GitHub owner/name), its number and the head commit. */
export interface MrRef {
  project: string;
  mergeRequest: number;
  sha: string;
}

export interface MrFinding {
  id: string;
  severity: Severity;
  package: string;
  version: string;
  fixedVersion: string | null;
}

export interface MrDiff {
  project: string;
  /** The default branch compared with; null when the project has no scan of it yet (everything is "added"). */
  base: string | null;
  added: MrFinding[];
  fixed: MrFinding[];
  gate: { passed: boolean; reason: string };
  dashboardUrl: string | null;
  pipelineUrl?: string | null;
}

export const MR_NOTE_MARKER = '<!-- bulwark:merge-request-note -->';
const PAGES = 20;

function normalUrl(u: string): string {
  const x = new URL(u);
  return `${x.protocol}//${x.host.toLowerCase()}${x.pathname.replace(/\/+$/, '')}`;
}

/** The forge a channel answers merge requests on: a gitlab channel with mergeRequests, or a github channel. */
export function forgeOf(c: ChannelConfig): Forge | null {
  if (c.type === 'gitlab' && c.options.mergeRequests) return { provider: 'gitlab', apiUrl: `${c.options.url.replace(/\/+$/, '')}/api/v4`, token: c.secrets.token };
  if (c.type === 'github') return { provider: 'github', apiUrl: c.options.apiUrl.replace(/\/+$/, ''), token: c.secrets.token };
  return null;
}

/** Whether a report's CI context names this forge (same provider, same API URL). */
export function forgeServes(f: Pick<Forge, 'provider' | 'apiUrl'>, ci: Pick<CiContext, 'provider' | 'apiUrl'>): boolean {
  try {
    return f.provider === ci.provider && normalUrl(f.apiUrl) === normalUrl(ci.apiUrl);
  } catch {
    return false;
  }
}

/** One key per merge request, whatever the channel. */
export function mrKey(ci: Pick<CiContext, 'provider' | 'apiUrl' | 'project' | 'mergeRequest'>): string {
  return `${ci.provider} ${normalUrl(ci.apiUrl)} ${ci.project} !${ci.mergeRequest ?? ''}`;
}

function table(rows: MrFinding[]): string[] {
  const sorted = [...rows].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id) || a.package.localeCompare(b.package));
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
  return [
    '| Severity | Advisory | Package | Installed | Fixed in |',
    '|---|---|---|---|---|',
    ...sorted.slice(0, 50).map((f) => `| ${f.severity} | ${cell(f.id)} | ${cell(f.package)} | ${cell(f.version)} | ${f.fixedVersion ? cell(f.fixedVersion) : '—'} |`),
    ...(sorted.length > 50 ? [`| … | ${sorted.length - 50} more | | | |`] : []),
  ];
}

export function mrNoteBody(d: MrDiff): string {
  const against = d.base === null ? 'No scan of the default branch yet: every finding is listed as added.' : `Compared with the default branch \`${d.base}\`: **${d.added.length} added**, **${d.fixed.length} fixed**.`;
  const lines = [MR_NOTE_MARKER, `### Bulwark: ${d.gate.passed ? 'gate passed' : 'gate failed'} for ${d.project}`, '', against, ''];
  if (d.added.length) lines.push('**Added by this merge request**', '', ...table(d.added), '');
  if (d.fixed.length) lines.push('**Fixed by this merge request**', '', ...table(d.fixed), '');
  lines.push(`Gate: ${d.gate.reason}`);
  const links: string[] = [];
  if (d.dashboardUrl) links.push(`[Open ${d.project} in Bulwark](${d.dashboardUrl.replace(/\/+$/, '')}/#/projects/${encodeURIComponent(d.project)})`);
  if (d.pipelineUrl) links.push(`[pipeline](${d.pipelineUrl})`);
  if (links.length) lines.push('', links.join(' · '));
  return lines.join('\n');
}

function headers(f: Forge): Record<string, string> {
  return f.provider === 'gitlab' ? { 'private-token': f.token } : { authorization: `Bearer ${f.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
}

function paths(f: Forge, mr: MrRef): { list: string; create: string; one: (id: string) => string; edit: 'PUT' | 'PATCH'; status: string } {
  const base = f.apiUrl.replace(/\/+$/, '');
  if (f.provider === 'gitlab') {
    const p = `${base}/projects/${encodeURIComponent(mr.project)}`;
    const notes = `${p}/merge_requests/${mr.mergeRequest}/notes`;
    return { list: `${notes}?sort=asc&order_by=created_at&per_page=100`, create: notes, one: (id) => `${notes}/${encodeURIComponent(id)}`, edit: 'PUT', status: `${p}/statuses/${mr.sha}` };
  }
  const repo = `${base}/repos/${mr.project.split('/').map(encodeURIComponent).join('/')}`;
  return { list: `${repo}/issues/${mr.mergeRequest}/comments?per_page=100`, create: `${repo}/issues/${mr.mergeRequest}/comments`, one: (id) => `${repo}/issues/comments/${encodeURIComponent(id)}`, edit: 'PATCH', status: `${repo}/statuses/${mr.sha}` };
}

/** Bulwark's note among the MR's notes (every page), found by its marker; null when there is none. */
async function findByMarker(f: Forge, mr: MrRef): Promise<string | null> {
  const p = paths(f, mr);
  for (let page = 1; page <= PAGES; page++) {
    const list = await restJson(f.provider, `${p.list}&page=${page}`, 'GET', headers(f));
    if (!Array.isArray(list)) throw new DeliveryError(`${f.provider}: the note list is not an array`, true);
    const mine: unknown = list.find((n: unknown) => isRecord(n) && typeof n.body === 'string' && n.body.startsWith(MR_NOTE_MARKER));
    if (isRecord(mine) && (typeof mine.id === 'number' || typeof mine.id === 'string')) return String(mine.id);
    if (list.length < 100) return null;
  }
  return null;
}

export interface KnownNote {
  noteId: string;
  bodyHash: string;
}

export function bodyHash(body: string): string {
  return crypto.createHash('sha256').update(body).digest('hex');
}

/**
 * Creates the note, or updates Bulwark's existing one in place: the one whose id was stored (`known`), else the
 * one carrying the marker (a lost id, a note stored by an earlier server). An unchanged note is not touched.
 */
export async function upsertMrNote(f: Forge, mr: MrRef, d: MrDiff, known?: KnownNote): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; note: KnownNote }> {
  const body = mrNoteBody(d);
  const hash = bodyHash(body);
  const p = paths(f, mr);
  if (known && known.bodyHash === hash) return { outcome: 'unchanged', note: known };
  let id = known?.noteId ?? (await findByMarker(f, mr));
  if (id !== null) {
    try {
      await restJson(f.provider, p.one(id), p.edit, headers(f), { body });
      return { outcome: 'updated', note: { noteId: id, bodyHash: hash } };
    } catch (e) {
      // Deleted by someone since: look again (another note may carry the marker), else post a new one.
      if (!(e instanceof DeliveryError && e.status === 404) || !known) throw e;
      id = await findByMarker(f, mr);
      if (id !== null) {
        await restJson(f.provider, p.one(id), p.edit, headers(f), { body });
        return { outcome: 'updated', note: { noteId: id, bodyHash: hash } };
      }
    }
  }
  const created = await restJson(f.provider, p.create, 'POST', headers(f), { body });
  if (!isRecord(created) || (typeof created.id !== 'number' && typeof created.id !== 'string')) throw new DeliveryError(`${f.provider}: the created note has no id`, true);
  return { outcome: 'created', note: { noteId: String(created.id), bodyHash: hash } };
}

/** The commit status `bulwark` with the gate's result. */
export async function setCommitStatus(f: Forge, mr: MrRef, gate: { passed: boolean; reason: string }, targetUrl: string | null): Promise<void> {
  const p = paths(f, mr);
  const description = gate.reason.slice(0, 140);
  const link = targetUrl ? { target_url: targetUrl } : {};
  if (f.provider === 'github') {
    await restJson('github', p.status, 'POST', headers(f), { state: gate.passed ? 'success' : 'failure', context: 'bulwark', description, ...link });
    return;
  }
  try {
    await restJson('gitlab', p.status, 'POST', headers(f), { state: gate.passed ? 'success' : 'failed', name: 'bulwark', description, ...link });
  } catch (e) {
    // GitLab refuses to set a status to the state it has ("Cannot transition status via :success from :success"):
    // a re-run pipeline of the same commit with the same result. The status is what it should be.
    if (e instanceof DeliveryError && e.status === 400 && /Cannot transition status/i.test(e.message)) return;
    throw e;
  }
}

/** Proves the API URL and the token (`channel test`): GitLab GET /user, GitHub GET /rate_limit. Posts nothing. */
export async function checkForge(f: Forge): Promise<string> {
  const r = await restJson(f.provider, `${f.apiUrl.replace(/\/+$/, '')}/${f.provider === 'gitlab' ? 'user' : 'rate_limit'}`, 'GET', headers(f));
  const who = f.provider === 'gitlab' && isRecord(r) && typeof r.username === 'string' ? ` as ${r.username}` : '';
  return `${f.provider}: reached ${new URL(f.apiUrl).host}${who} (merge-request notes; nothing posted)`;
}
