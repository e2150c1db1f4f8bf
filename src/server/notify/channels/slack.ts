import type { Digest } from '../digest.js';
import { digestTitle, eventLine, kindCounts, listed, projectLink, severityCounts } from '../digest.js';
import { DeliveryError, failureOf, parseRetryAfter, send } from '../delivery-error.js';
import type { ChannelOptions, ChannelSecrets, MessageChannel } from './types.js';

/** Slack's documented limits: section text 3000 characters, header 150, at most 50 blocks per message. */
const SECTION_MAX = 3000;
const HEADER_MAX = 150;

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** Slack mrkdwn escapes: &, <, > (the only characters Slack asks to escape). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The Block Kit message of a digest: header, counts, one line per finding (or the worst of a summary), a link. */
export function slackMessage(d: Digest): { text: string; blocks: unknown[] } {
  const sev = severityCounts(d.events);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(digestTitle(d), HEADER_MAX) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Project*\n${escapeMrkdwn(d.project.name)}${d.project.team ? ` (${escapeMrkdwn(d.project.team)})` : ''}` },
        { type: 'mrkdwn', text: `*Events*\n${escapeMrkdwn(kindCounts(d.events))}` },
        { type: 'mrkdwn', text: `*Severity*\n${Object.entries(sev).map(([k, v]) => `${k} ${v}`).join(', ')}` },
      ],
    },
  ];
  const lines = listed(d).map((e) => `• ${escapeMrkdwn(eventLine(e))}`);
  // Lines into sections of at most SECTION_MAX characters.
  let chunk = '';
  for (const l of lines) {
    if (chunk && chunk.length + l.length + 1 > SECTION_MAX) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
      chunk = '';
    }
    chunk = chunk ? `${chunk}\n${l}` : clip(l, SECTION_MAX);
  }
  if (chunk) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  const link = projectLink(d);
  const context = [d.summary ? `Showing the ${lines.length} worst of ${d.events.length} events.` : `${d.events.length} events.`];
  if (link) context.push(`<${link}|Open ${escapeMrkdwn(d.project.name)} in Bulwark>`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' ') }] });
  return { text: clip(digestTitle(d), SECTION_MAX), blocks: blocks.slice(0, 50) };
}

/** Where a Slack channel keeps each project's thread (the notifier's store). */
export interface SlackThreads {
  get(projectId: number): Promise<string | undefined>;
  save(projectId: number, slackChannel: string, ts: string): Promise<void>;
}

/** Web API errors worth another try (https://api.slack.com/methods/chat.postMessage: transient server errors, rate limits). */
const RETRYABLE_SLACK_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * chat.postMessage with a bot token: `Authorization: Bearer`, JSON body; HTTP 429 with Retry-After when rate
 * limited; otherwise HTTP 200 with {ok: true, channel, ts} or {ok: false, error}. An error such as invalid_auth,
 * channel_not_found or not_in_channel is permanent (dead-lettered with its name); the transient ones are retried.
 */
export async function slackPostMessage(apiUrl: string, token: string, body: Record<string, unknown>): Promise<{ channel: string; ts: string }> {
  const res = await send('slack', `${apiUrl.replace(/\/+$/, '')}/chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });
  if (!res.ok) throw await failureOf('slack chat.postMessage', res);
  let r: unknown;
  try {
    r = await res.json();
  } catch {
    throw new DeliveryError('slack chat.postMessage: the answer is not JSON', true);
  }
  const o = (typeof r === 'object' && r !== null ? r : {}) as { ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown };
  if (o.ok !== true) {
    const error = typeof o.error === 'string' ? o.error : 'unknown_error';
    throw new DeliveryError(`slack chat.postMessage: ${error}`, RETRYABLE_SLACK_ERRORS.has(error), parseRetryAfter(res.headers.get('retry-after')));
  }
  if (typeof o.ts !== 'string' || typeof o.channel !== 'string') throw new DeliveryError('slack chat.postMessage: the answer has no ts', true);
  return { channel: o.channel, ts: o.ts };
}

/**
 * Slack. With an incoming webhook (secrets.url): POST the message as JSON to the webhook URL (a secret); Slack
 * answers 200 "ok", 4xx with an error word (invalid_blocks, no_service …), 429 with Retry-After. With a bot token
 * (secrets.token, options.channel): chat.postMessage, and each project's digests go into one thread — the first
 * digest of a project is the parent message, later ones reply to it (thread_ts, stored per channel and project).
 * Plain fetch rather than @slack/webhook or @slack/web-api: those clients retry on their own and hide the
 * answer's status and Retry-After, which the notifier's outbox (attempts, back-off, dead letters) needs.
 */
export function slackChannel(opts: ChannelOptions<'slack'>, secrets: ChannelSecrets<'slack'>, threads?: SlackThreads): MessageChannel {
  const { token, url } = secrets;
  if (token !== undefined) {
    const channel = opts.channel;
    if (channel === undefined) throw new Error('slack: a bot token needs options.channel');
    return {
      kind: 'message',
      recipients: () => [null],
      async send(d) {
        // A summary of "N more projects" (id 0) has no thread of its own.
        const threaded = opts.threads && threads !== undefined && d.project.id !== 0;
        const parent = threaded ? await threads.get(d.project.id) : undefined;
        const posted = await slackPostMessage(opts.apiUrl, token, { channel, ...slackMessage(d), unfurl_links: false, unfurl_media: false, ...(parent ? { thread_ts: parent } : {}) });
        if (threaded && !parent) await threads.save(d.project.id, posted.channel, posted.ts);
      },
    };
  }
  if (url === undefined) throw new Error('slack: neither a webhook URL nor a bot token');
  return {
    kind: 'message',
    recipients: () => [null],
    async send(d) {
      const res = await send('slack', url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackMessage(d)) });
      if (!res.ok) throw await failureOf('slack', res);
      await res.body?.cancel();
    },
  };
}
