import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Digest } from '../digest.js';
import { digestTitle, eventLine, kindCounts, listed, projectLink } from '../digest.js';
import { DeliveryError } from '../delivery-error.js';
import type { ChannelOptions, ChannelSecrets, MessageChannel } from './types.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function emailBodies(d: Digest): { subject: string; text: string; html: string } {
  const subject = digestTitle(d);
  const link = projectLink(d);
  const events = listed(d);
  const more = d.summary ? `Showing the ${events.length} worst of ${d.events.length} events.` : '';
  const text = [subject, '', `Project: ${d.project.name}${d.project.team ? ` (team ${d.project.team})` : ''}`, `Events: ${kindCounts(d.events)}`, '', ...events.map((e) => `- ${eventLine(e)}`), more, link ? `\n${link}` : ''].filter((l) => l !== '').join('\n') + '\n';
  const rows = events
    .map((e) => {
      const p = e.finding.package;
      return `<tr><td>${escapeHtml(e.finding.severity)}</td><td>${escapeHtml(e.finding.id)}</td><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.version)}</td><td>${escapeHtml(e.finding.fixedVersion ?? '—')}</td><td>${escapeHtml(e.kind)}</td></tr>`;
    })
    .join('');
  const html = `<!doctype html><html><body><h2>${escapeHtml(subject)}</h2><p>Project <b>${escapeHtml(d.project.name)}</b>: ${escapeHtml(kindCounts(d.events))}</p><table border="1" cellpadding="4" cellspacing="0"><thead><tr><th>Severity</th><th>Advisory</th><th>Package</th><th>Installed</th><th>Fixed in</th><th>Event</th></tr></thead><tbody>${rows}</tbody></table>${more ? `<p>${escapeHtml(more)}</p>` : ''}${link ? `<p><a href="${escapeHtml(link)}">Open in Bulwark</a></p>` : ''}</body></html>`;
  return { subject, text, html };
}

/** SMTP reply codes: 4xx is transient (retry), 5xx permanent; no code (connection, TLS, timeout) is retryable. */
function smtpFailure(e: unknown): DeliveryError {
  const err = e as { responseCode?: number; code?: string; message?: string };
  const code = typeof err.responseCode === 'number' ? err.responseCode : null;
  const msg = `email: ${code ? `SMTP ${code} ` : ''}${err.code ?? ''} ${(err.message ?? String(e)).slice(0, 200)}`.replace(/\s+/g, ' ').trim();
  return new DeliveryError(msg, code === null || (code >= 400 && code < 500));
}

/** Email over SMTP with nodemailer: one message per recipient and digest (HTML + text). */
export function emailChannel(opts: ChannelOptions<'email'>, secrets: ChannelSecrets<'email'>): MessageChannel & { close(): void } {
  // Pooled: the digests of one delivery pass share a connection; close() ends it.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 1,
    host: opts.host,
    port: opts.port,
    secure: opts.secure,
    ...(opts.user ? { auth: { user: opts.user, pass: secrets.password ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    logger: false,
  });
  return {
    kind: 'message',
    recipients: () => opts.to,
    async send(d, recipient, idempotencyKey) {
      if (!recipient) throw new DeliveryError('email: no recipient', false);
      const b = emailBodies(d);
      const host = crypto.createHash('sha256').update(opts.from).digest('hex').slice(0, 8);
      try {
        await transport.sendMail({ from: opts.from, to: recipient, subject: b.subject, text: b.text, html: b.html, messageId: `<${idempotencyKey}.${host}@bulwark>`, headers: { 'X-Bulwark-Delivery': idempotencyKey } });
      } catch (e) {
        throw smtpFailure(e);
      }
    },
    close: () => transport.close(),
  };
}
