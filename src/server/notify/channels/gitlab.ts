import type { TicketBackend, TicketState } from '../tickets.js';
import { syncTicket } from '../tickets.js';
import { DeliveryError } from '../delivery-error.js';
import { isRecord, restJson } from './rest.js';
import type { ChannelOptions, ChannelSecrets, TicketChannel } from './types.js';

/**
 * GitLab issues over REST v4 (https://docs.gitlab.com/api/issues/): found by label, created, edited,
 * commented (notes) and closed/reopened with `state_event`. Auth: `PRIVATE-TOKEN`. Plain fetch rather than
 * @gitbeaker/rest: five calls, and the retry policy needs each answer's status and Retry-After.
 */
export function gitlabBackend(opts: ChannelOptions<'gitlab'>, secrets: ChannelSecrets<'gitlab'>): TicketBackend {
  if (opts.project === undefined) throw new Error('gitlab: no project to file issues in');
  const base = `${opts.url.replace(/\/+$/, '')}/api/v4/projects/${encodeURIComponent(opts.project)}/issues`;
  const headers = { 'private-token': secrets.token };
  const call = (path: string, method: string, body?: unknown) => restJson('gitlab', base + path, method, headers, body);
  return {
    async find(label) {
      const r = await call(`?labels=${encodeURIComponent(label)}&state=all&per_page=5&order_by=created_at&sort=asc`, 'GET');
      if (!Array.isArray(r)) throw new DeliveryError('gitlab: the issue list is not an array', true);
      const first: unknown = r[0];
      if (!isRecord(first)) return null;
      if (typeof first.iid !== 'number') throw new DeliveryError('gitlab: an issue without iid', true);
      return { ref: String(first.iid), open: first.state === 'opened', title: String(first.title ?? ''), body: String(first.description ?? '') };
    },
    async create(label, view) {
      const r = await call('', 'POST', { title: view.title, description: view.body, labels: ['bulwark', label, ...opts.labels].join(',') });
      if (!isRecord(r) || typeof r.iid !== 'number') throw new DeliveryError('gitlab: the created issue has no iid', true);
      return String(r.iid);
    },
    async update(ref, view) {
      await call(`/${ref}`, 'PUT', { title: view.title, description: view.body });
    },
    async comment(ref, text) {
      await call(`/${ref}/notes`, 'POST', { body: text });
    },
    async setOpen(ref, open) {
      await call(`/${ref}`, 'PUT', { state_event: open ? 'reopen' : 'close' });
    },
  };
}

export function gitlabChannel(opts: ChannelOptions<'gitlab'>, secrets: ChannelSecrets<'gitlab'>): TicketChannel {
  const backend = gitlabBackend(opts, secrets);
  return {
    kind: 'ticket',
    grouping: opts.grouping,
    async sync(ticket: TicketState, dashboardUrl) {
      await syncTicket(backend, ticket, dashboardUrl ?? opts.dashboardUrl ?? null);
    },
  };
}
