import type { Severity } from '../../core/severity.js';
import { severityRank } from '../../core/severity.js';
import { DeliveryError } from './delivery-error.js';
import { isRecord, restJson } from './channels/rest.js';
import type { CiContext } from '../../core/ci.js';

/** A merge/pull request pipeline's context: the CI context with its merge request. */
export type MrContext = CiContext & { mergeRequest: number };

/**
 * Merge-request / pull-request notes: one note per MR listing what the branch adds and fixes compared with the
 * default branch, updated in place on each push (found again by its marker, never a new note per pipeline),
 * and a commit status with the gate's result. GitLab REST v4 (MR notes, commit statuses) and GitHub REST
 * (issue comments, commit statuses).
 */
export interface MrFinding {
  id: string;
  severity: Severity;
  package: string;
  version: string;
  fixedVersion: string | null;
}

export interface MrDiff {
  project: string;
  added: MrFinding[];
  fixed: MrFinding[];
  gate: { passed: boolean; reason: string };
  dashboardUrl: string | null;
}

export const MR_NOTE_MARKER = '<!-- bulwark:merge-request-note -->';

function table(rows: MrFinding[]): string[] {
  const sorted = [...rows].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id));
  return ['| Severity | Advisory | Package | Installed | Fixed in |', '|---|---|---|---|---|', ...sorted.slice(0, 50).map((f) => `| ${f.severity} | ${f.id} | ${f.package} | ${f.version} | ${f.fixedVersion ?? '—'} |`), ...(sorted.length > 50 ? [`| … | ${sorted.length - 50} more | | | |`] : [])];
}

export function mrNoteBody(d: MrDiff): string {
  const lines = [MR_NOTE_MARKER, `### Bulwark: ${d.gate.passed ? 'gate passed' : 'gate failed'} for ${d.project}`, '', `Compared with the default branch: **${d.added.length} added**, **${d.fixed.length} fixed**.`, ''];
  if (d.added.length) lines.push('**Added by this merge request**', '', ...table(d.added), '');
  if (d.fixed.length) lines.push('**Fixed by this merge request**', '', ...table(d.fixed), '');
  lines.push(`Gate: ${d.gate.reason}`);
  if (d.dashboardUrl) lines.push('', `[Open ${d.project} in Bulwark](${d.dashboardUrl.replace(/\/+$/, '')}/#/projects/${encodeURIComponent(d.project)})`);
  return lines.join('\n');
}

/** Creates the note, or updates Bulwark's existing one in place; then sets the commit status. */
export async function upsertMrNote(ctx: MrContext, token: string, d: MrDiff): Promise<'created' | 'updated' | 'unchanged'> {
  const body = mrNoteBody(d);
  const base = ctx.apiUrl.replace(/\/+$/, '');
  let outcome: 'created' | 'updated' | 'unchanged';
  if (ctx.provider === 'gitlab') {
    const h = { 'private-token': token };
    const mr = `${base}/projects/${encodeURIComponent(ctx.project)}/merge_requests/${ctx.mergeRequest}/notes`;
    const notes = await restJson('gitlab', `${mr}?per_page=100&sort=asc&order_by=created_at`, 'GET', h);
    if (!Array.isArray(notes)) throw new DeliveryError('gitlab: the note list is not an array', true);
    const mine: unknown = notes.find((n: unknown) => isRecord(n) && typeof n.body === 'string' && n.body.startsWith(MR_NOTE_MARKER));
    if (!isRecord(mine)) {
      await restJson('gitlab', mr, 'POST', h, { body });
      outcome = 'created';
    } else if (mine.body === body) outcome = 'unchanged';
    else {
      await restJson('gitlab', `${mr}/${String(mine.id)}`, 'PUT', h, { body });
      outcome = 'updated';
    }
    await restJson('gitlab', `${base}/projects/${encodeURIComponent(ctx.project)}/statuses/${ctx.sha}`, 'POST', h, { state: d.gate.passed ? 'success' : 'failed', name: 'bulwark', description: d.gate.reason.slice(0, 140) });
    return outcome;
  }
  const h = { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
  const repo = `${base}/repos/${ctx.project.split('/').map(encodeURIComponent).join('/')}`;
  const comments = await restJson('github', `${repo}/issues/${ctx.mergeRequest}/comments?per_page=100`, 'GET', h);
  if (!Array.isArray(comments)) throw new DeliveryError('github: the comment list is not an array', true);
  const mine: unknown = comments.find((c: unknown) => isRecord(c) && typeof c.body === 'string' && c.body.startsWith(MR_NOTE_MARKER));
  if (!isRecord(mine)) {
    await restJson('github', `${repo}/issues/${ctx.mergeRequest}/comments`, 'POST', h, { body });
    outcome = 'created';
  } else if (mine.body === body) outcome = 'unchanged';
  else {
    await restJson('github', `${repo}/issues/comments/${String(mine.id)}`, 'PATCH', h, { body });
    outcome = 'updated';
  }
  await restJson('github', `${repo}/statuses/${ctx.sha}`, 'POST', h, { state: d.gate.passed ? 'success' : 'failure', context: 'bulwark', description: d.gate.reason.slice(0, 140) });
  return outcome;
}
