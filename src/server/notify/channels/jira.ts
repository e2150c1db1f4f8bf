import type { TicketBackend, TicketState } from '../tickets.js';
import { syncTicket } from '../tickets.js';
import { DeliveryError } from '../delivery-error.js';
import { isRecord, restJson } from './rest.js';
import type { ChannelOptions, ChannelSecrets, TicketChannel } from './types.js';

/** Atlassian Document Format for API v3: one paragraph per line (v2 takes the text as is). */
export function toAdf(text: string): unknown {
  return { type: 'doc', version: 1, content: text.split('\n').map((line) => (line === '' ? { type: 'paragraph', content: [] } : { type: 'paragraph', content: [{ type: 'text', text: line }] })) };
}

/** The text of an ADF document, one line per paragraph (the inverse of toAdf for what Bulwark writes). */
export function fromAdf(doc: unknown): string {
  if (!isRecord(doc) || !Array.isArray(doc.content)) return '';
  return doc.content
    .map((p: unknown) => (isRecord(p) && Array.isArray(p.content) ? p.content.map((t: unknown) => (isRecord(t) && typeof t.text === 'string' ? t.text : '')).join('') : ''))
    .join('\n');
}

/**
 * Jira issues over REST (Cloud v3, Data Center v2): found with JQL on the label, created, edited, commented
 * and moved with the workflow's transitions (to the "done" status category to close, out of it to reopen).
 * Auth: Cloud basic (account e-mail + API token), Data Center bearer (personal access token).
 */
export function jiraBackend(opts: ChannelOptions<'jira'>, secrets: ChannelSecrets<'jira'>): TicketBackend {
  const base = `${opts.url.replace(/\/+$/, '')}/rest/api/${opts.api}`;
  const auth = opts.user ? `Basic ${Buffer.from(`${opts.user}:${secrets.token}`).toString('base64')}` : `Bearer ${secrets.token}`;
  const call = (path: string, method: string, body?: unknown) => restJson('jira', base + path, method, { authorization: auth }, body);
  const description = (text: string): unknown => (opts.api === '3' ? toAdf(text) : text);
  return {
    async find(label) {
      const jql = `project = "${opts.project}" AND labels = "${label}" ORDER BY created ASC`;
      const path = opts.api === '3' ? '/search/jql' : '/search';
      const r = await call(`${path}?jql=${encodeURIComponent(jql)}&fields=summary,description,status&maxResults=5`, 'GET');
      if (!isRecord(r) || !Array.isArray(r.issues)) throw new DeliveryError('jira: the search answer has no issues array', true);
      const first: unknown = r.issues[0];
      if (!isRecord(first)) return null;
      const f = isRecord(first.fields) ? first.fields : {};
      const status = isRecord(f.status) && isRecord(f.status.statusCategory) ? f.status.statusCategory.key : undefined;
      return { ref: String(first.key), open: status !== 'done', title: String(f.summary ?? ''), body: opts.api === '3' ? fromAdf(f.description) : String(f.description ?? '') };
    },
    async create(label, view) {
      const r = await call('/issue', 'POST', { fields: { project: { key: opts.project }, summary: view.title, description: description(view.body), issuetype: { name: opts.issueType }, labels: ['bulwark', label] } });
      if (!isRecord(r) || typeof r.key !== 'string') throw new DeliveryError('jira: the created issue has no key', true);
      return r.key;
    },
    async update(ref, view) {
      await call(`/issue/${encodeURIComponent(ref)}`, 'PUT', { fields: { summary: view.title, description: description(view.body) } });
    },
    async comment(ref, text) {
      await call(`/issue/${encodeURIComponent(ref)}/comment`, 'POST', { body: description(text) });
    },
    async setOpen(ref, open) {
      const r = await call(`/issue/${encodeURIComponent(ref)}/transitions`, 'GET');
      const list: unknown[] = isRecord(r) && Array.isArray(r.transitions) ? r.transitions : [];
      const category = (t: unknown): unknown => (isRecord(t) && isRecord(t.to) && isRecord(t.to.statusCategory) ? t.to.statusCategory.key : undefined);
      const pick = list.find((t) => (open ? category(t) !== 'done' : category(t) === 'done'));
      if (!isRecord(pick) || typeof pick.id !== 'string') throw new DeliveryError(`jira: issue ${ref} has no transition to ${open ? 'reopen' : 'close'} it`, false);
      await call(`/issue/${encodeURIComponent(ref)}/transitions`, 'POST', { transition: { id: pick.id } });
    },
  };
}

export function jiraChannel(opts: ChannelOptions<'jira'>, secrets: ChannelSecrets<'jira'>): TicketChannel {
  const backend = jiraBackend(opts, secrets);
  return {
    kind: 'ticket',
    grouping: opts.grouping,
    async sync(ticket: TicketState, dashboardUrl) {
      await syncTicket(backend, ticket, dashboardUrl ?? opts.dashboardUrl ?? null);
    },
  };
}
