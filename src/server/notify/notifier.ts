import crypto from 'node:crypto';
import type { Store } from '../store/store.js';
import type { DeliveryRow, NewDelivery } from '../store/notify.js';
import { openChannel } from './channels/index.js';
import type { Channel, ChannelConfig } from './channels/types.js';
import type { PlanChannel } from './config.js';
import { channelFromRow, planChannelOf, rulesOfRow } from './config.js';
import { DeliveryError } from './delivery-error.js';
import type { Digest } from './digest.js';
import { DEFAULT_FLOOD_THRESHOLD, byWorst } from './digest.js';
import type { EventFeed, FindingEvent } from './event.js';
import type { NotifyRule } from './routing.js';
import { routes } from './routing.js';
import type { SecretBox } from '../secret-box.js';
import type { TicketState } from './tickets.js';
import { applyEvents, ticketKey } from './tickets.js';

export interface NotifierLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface NotifierOptions {
  feed: EventFeed;
  secrets: SecretBox;
  /** Rules from security profiles (`notify:`), added to the channels' own. */
  profileRules?: () => NotifyRule[];
  /** Events read per page of the feed (default 1000). */
  pageSize?: number;
  /** A digest with more events than this is a summary (default 25). */
  floodThreshold?: number;
  /** Messages per channel per minute (default 30; a channel's options.rateLimitPerMinute overrides it); past it, the rest of a window becomes one summary. */
  rateLimitPerMinute?: number;
  /** Attempts before a delivery goes to the dead-letter list (default 8). */
  maxAttempts?: number;
  /** Back-off: base * 2^(attempt-1), capped, with jitter (defaults 2 s and 15 min). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Digest window: how often the notifier reads the feed and sends (default 30 s). */
  windowMs?: number;
  /** A delivery is leased for this long while it is sent (default 2 min). */
  leaseMs?: number;
  random?: () => number;
  log?: NotifierLog;
}

/** The state of a finding a channel was last told about: the same event again is not sent again. */
function sentState(e: FindingEvent): string {
  const base = `${e.kind}|${e.finding.severity}|${e.finding.fixedVersion ?? ''}`;
  // An extended exception expiring again is news: the expiry date is part of it.
  return e.kind === 'exception-expiring' ? `${base}|${e.suppression?.expires ?? ''}` : base;
}

function sha(...parts: (string | number | null)[]): string {
  return crypto.createHash('sha256').update(parts.map((p) => String(p)).join('\n')).digest('hex');
}

interface OpenChannel {
  id: number;
  config: ChannelConfig;
  channel: Channel & { close?: () => void };
}

export interface DeliverResult {
  sent: number;
  retried: number;
  dead: number;
}

/**
 * The notifier: reads the event feed, routes each event to the channels whose rules take it, groups them into
 * one digest per channel and project (a flood into a summary; past a channel's rate, one summary for the
 * rest), records the deliveries in the outbox together with the feed cursor, then sends what is due —
 * at least once, with an idempotency key, exponential back-off with jitter, honouring Retry-After, and a
 * dead-letter list after the last attempt.
 */
export class Notifier {
  private readonly recent = new Map<number, number[]>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly opts: Required<Omit<NotifierOptions, 'profileRules' | 'log'>> & Pick<NotifierOptions, 'profileRules' | 'log'>;

  constructor(
    private readonly store: Store,
    opts: NotifierOptions,
  ) {
    this.opts = {
      pageSize: 1000,
      floodThreshold: DEFAULT_FLOOD_THRESHOLD,
      rateLimitPerMinute: 30,
      maxAttempts: 8,
      backoffBaseMs: 2000,
      backoffMaxMs: 15 * 60_000,
      windowMs: 30_000,
      leaseMs: 120_000,
      random: Math.random,
      ...opts,
    };
  }

  private async channels(): Promise<{ open: PlanChannel[]; rules: NotifyRule[] }> {
    const rows = await this.store.notify.channels();
    const rules: NotifyRule[] = [...(this.opts.profileRules?.() ?? [])];
    for (const row of rows) rules.push(...rulesOfRow(row));
    return { open: rows.map(planChannelOf), rules };
  }

  /** Reads the feed from the stored cursor to its end and records the deliveries; returns how many were new. */
  async collect(): Promise<number> {
    const { open, rules } = await this.channels();
    let total = 0;
    for (;;) {
      const cursor = await this.store.notify.cursor();
      const events = await this.opts.feed.after(cursor, this.opts.pageSize);
      const last = events.at(-1);
      if (!last) return total;
      total += await this.plan(open, rules, events, last.cursor);
      if (events.length < this.opts.pageSize) return total;
    }
  }

  private async plan(open: PlanChannel[], rules: NotifyRule[], events: FindingEvent[], cursor: string): Promise<number> {
    const deliveries: NewDelivery[] = [];
    const sent: { channel_id: number; fingerprint: string; state: string }[] = [];
    const tickets: { channel_id: number; ticket_key: string; state: string }[] = [];
    for (const c of open) {
      if (c.kind === 'none') continue;
      const mine = events.filter((e) => routes(c.name, rules, e));
      const known = await this.store.notify.sentStates(c.id, mine.map((e) => e.fingerprint));
      const fresh: FindingEvent[] = [];
      for (const e of mine) {
        const s = sentState(e);
        if (known.get(e.fingerprint) === s) continue;
        known.set(e.fingerprint, s);
        fresh.push(e);
        sent.push({ channel_id: c.id, fingerprint: e.fingerprint, state: s });
      }
      if (fresh.length === 0) continue;
      if (c.kind === 'ticket') {
        const grouping = c.grouping;
        const byTicket = new Map<string, FindingEvent[]>();
        for (const e of fresh) {
          const k = ticketKey(e, grouping);
          byTicket.set(k, [...(byTicket.get(k) ?? []), e]);
        }
        const states = await this.store.notify.ticketStates(c.id, [...byTicket.keys()]);
        for (const [k, evs] of byTicket) {
          const prev = states.get(k);
          const next = applyEvents(prev === undefined ? undefined : (JSON.parse(prev) as TicketState), grouping, evs);
          tickets.push({ channel_id: c.id, ticket_key: k, state: JSON.stringify(next) });
          deliveries.push({ channel_id: c.id, idempotency_key: sha(c.id, 'ticket', k, evs.map((e) => e.cursor).join(',')), kind: 'ticket', project_name: next.project.name, recipient: null, payload: JSON.stringify({ ticket: k }), events: evs.length });
        }
        continue;
      }
      deliveries.push(...this.digests(c, fresh));
    }
    const inserted = await this.store.notify.enqueue({ cursor, deliveries, sent, tickets });
    this.opts.log?.info({ events: events.length, deliveries: inserted, cursor }, 'notify: events routed');
    return inserted;
  }

  /** One digest per project; past the channel's rate, the remaining projects become one summary. */
  private digests(c: PlanChannel, events: FindingEvent[]): NewDelivery[] {
    const byProject = new Map<number, FindingEvent[]>();
    for (const e of events) byProject.set(e.project.id, [...(byProject.get(e.project.id) ?? []), e]);
    // Worst projects first: they get their own message when the rate limit cuts the list.
    const groups = [...byProject.values()].sort((a, b) => byWorst([...a].sort(byWorst)[0] as FindingEvent, [...b].sort(byWorst)[0] as FindingEvent));
    const budget = Math.max(1, this.budget(c));
    const own = groups.length <= budget ? groups : groups.slice(0, budget - 1);
    const rest = groups.length <= budget ? [] : groups.slice(budget - 1).flat();
    const digests: Digest[] = own.map((evs) => ({ channel: c.name, project: (evs[0] as FindingEvent).project, events: evs, summary: evs.length > this.opts.floodThreshold, dashboardUrl: null }));
    if (rest.length > 0) {
      const projects = new Set(rest.map((e) => e.project.name));
      digests.push({ channel: c.name, project: { id: 0, name: `${projects.size} more projects`, team: null }, events: rest, summary: true, dashboardUrl: null });
    }
    this.spend(c.id, digests.length);
    const out: NewDelivery[] = [];
    for (const d of digests) {
      const cursors = d.events.map((e) => e.cursor).join(',');
      for (const recipient of c.recipients) {
        out.push({ channel_id: c.id, idempotency_key: sha(c.id, 'message', recipient, d.project.id, cursors), kind: 'message', project_name: d.project.name, recipient, payload: JSON.stringify({ digest: d }), events: d.events.length });
      }
    }
    return out;
  }

  private budget(c: PlanChannel): number {
    const since = Date.now() - 60_000;
    const list = (this.recent.get(c.id) ?? []).filter((t) => t > since);
    this.recent.set(c.id, list);
    return (c.rateLimitPerMinute ?? this.opts.rateLimitPerMinute) - list.length;
  }

  private spend(channelId: number, n: number): void {
    const list = this.recent.get(channelId) ?? [];
    for (let i = 0; i < n; i++) list.push(Date.now());
    this.recent.set(channelId, list);
  }

  /** Back-off before attempt `attempts + 1`: Retry-After when the receiver gave one, else exponential with jitter. */
  backoffMs(attempts: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return Math.min(this.opts.backoffMaxMs, retryAfterMs) + Math.floor(this.opts.random() * 250);
    const exp = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.floor(exp / 2 + (this.opts.random() * exp) / 2);
  }

  /** Sends what is due now. */
  async deliver(limit = 500): Promise<DeliverResult> {
    const result: DeliverResult = { sent: 0, retried: 0, dead: 0 };
    const due = await this.store.notify.due(limit);
    if (due.length === 0) return result;
    const rows = await this.store.notify.channels();
    const byId = new Map<number, OpenChannel | Error>();
    try {
      for (const d of due) {
        if (!(await this.store.notify.claim(d, this.opts.leaseMs))) continue;
        let c = byId.get(d.channel_id);
        if (!c) {
          const row = rows.find((r) => r.id === d.channel_id);
          try {
            if (!row) throw new Error('the channel was removed');
            const { config } = channelFromRow(row, this.opts.secrets);
            const id = row.id;
            const slackThreads = { get: (projectId: number) => this.store.notify.slackThread(id, projectId), save: (projectId: number, ch: string, ts: string) => this.store.notify.saveSlackThread(id, projectId, ch, ts) };
            c = { id, config, channel: openChannel(config, { slackThreads }) };
          } catch (e) {
            c = e instanceof Error ? e : new Error(String(e));
          }
          byId.set(d.channel_id, c);
        }
        const outcome = await this.attempt(d, c);
        result[outcome]++;
      }
    } finally {
      for (const c of byId.values()) if (!(c instanceof Error)) c.channel.close?.();
    }
    return result;
  }

  private async attempt(d: DeliveryRow, c: OpenChannel | Error): Promise<keyof DeliverResult> {
    const attempts = d.attempts + 1;
    try {
      if (c instanceof Error) throw new DeliveryError(`channel cannot be opened: ${c.message}`, false);
      if (c.channel.kind === 'ticket') {
        const { ticket } = JSON.parse(d.payload) as { ticket: string };
        const state = await this.store.notify.ticketState(c.id, ticket);
        if (state === undefined) throw new DeliveryError(`ticket ${ticket} has no state`, false);
        await c.channel.sync(JSON.parse(state) as TicketState, c.config.options.dashboardUrl ?? null);
      } else {
        const { digest } = JSON.parse(d.payload) as { digest: Digest };
        await c.channel.send({ ...digest, dashboardUrl: c.config.options.dashboardUrl ?? null }, d.recipient, d.idempotency_key);
      }
      await this.store.notify.markDone(d.id, attempts);
      return 'sent';
    } catch (e) {
      const err = e instanceof DeliveryError ? e : new DeliveryError(e instanceof Error ? e.message : String(e), false);
      const msg = err.message.slice(0, 500);
      if (!err.retryable || attempts >= this.opts.maxAttempts) {
        await this.store.notify.markDead(d.id, attempts, msg);
        this.opts.log?.warn({ delivery: d.id, attempts, error: msg }, 'notify: delivery dead-lettered');
        return 'dead';
      }
      await this.store.notify.markRetry(d.id, attempts, new Date(Date.now() + this.backoffMs(attempts, err.retryAfterMs)).toISOString(), msg);
      return 'retried';
    }
  }

  /** One window: read the feed, then send what is due. */
  async tick(): Promise<DeliverResult & { queued: number }> {
    const queued = await this.collect();
    return { queued, ...(await this.deliver()) };
  }

  /** Runs tick() every windowMs until stop(); errors are logged and the next window tries again. */
  start(): void {
    if (this.timer) return;
    const run = (): void => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((e: unknown) => this.opts.log?.warn({ error: e instanceof Error ? e.message : String(e) }, 'notify: window failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(run, this.opts.windowMs);
        });
    };
    this.timer = setTimeout(run, this.opts.windowMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
