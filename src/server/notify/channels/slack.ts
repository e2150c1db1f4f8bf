import type { Digest } from '../digest.js';
import { digestTitle, eventLine, kindCounts, listed, projectLink, severityCounts } from '../digest.js';
import { failureOf, send } from '../delivery-error.js';
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

/**
 * Slack incoming webhook: POST the message as JSON to the webhook URL (a secret); Slack answers 200 "ok",
 * 4xx with an error word (invalid_blocks, no_service …), 429 with Retry-After when rate limited.
 * Plain fetch rather than @slack/webhook: the client hides the answer's status and Retry-After, which the
 * retry policy needs.
 */
export function slackChannel(opts: ChannelOptions<'slack'>, secrets: ChannelSecrets<'slack'>): MessageChannel {
  void opts;
  return {
    kind: 'message',
    recipients: () => [null],
    async send(d) {
      const res = await send('slack', secrets.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackMessage(d)) });
      if (!res.ok) throw await failureOf('slack', res);
      await res.body?.cancel();
    },
  };
}
