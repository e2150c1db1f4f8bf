import type { Kysely, Selectable } from 'kysely';
import type { Database } from './types.js';
import { chunks, now } from './util.js';

export type ChannelRow = Selectable<Database['notify_channels']>;
export type DeliveryRow = Selectable<Database['notify_deliveries']>;

export interface NewDelivery {
  channel_id: number;
  idempotency_key: string;
  kind: 'message' | 'ticket';
  project_name: string;
  recipient: string | null;
  payload: string;
  events: number;
}

/** What one dispatch step writes at once: the deliveries, the states they imply, and the feed cursor. */
export interface EnqueueBatch {
  cursor: string;
  deliveries: NewDelivery[];
  sent: { channel_id: number; fingerprint: string; state: string }[];
  tickets: { channel_id: number; ticket_key: string; state: string }[];
}

const FEED = 'events';

/** Notification channels, their delivery outbox (with the dead-letter list), dedupe and ticket states. */
export class NotifyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async createChannel(c: { name: string; type: string; options: string; secrets: string; rules: string }): Promise<number> {
    const t = now();
    const r = await this.db.insertInto('notify_channels').values({ ...c, created_at: t, updated_at: t }).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  async updateChannel(id: number, c: { options: string; secrets: string; rules: string }): Promise<void> {
    await this.db.updateTable('notify_channels').set({ ...c, updated_at: now() }).where('id', '=', id).execute();
  }

  async channels(): Promise<ChannelRow[]> {
    return this.db.selectFrom('notify_channels').selectAll().orderBy('name').execute();
  }

  async channelByName(name: string): Promise<ChannelRow | undefined> {
    return this.db.selectFrom('notify_channels').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async deleteChannel(name: string): Promise<boolean> {
    const r = await this.db.deleteFrom('notify_channels').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async cursor(): Promise<string | null> {
    const r = await this.db.selectFrom('notify_cursor').select('cursor').where('name', '=', FEED).executeTakeFirst();
    return r?.cursor ?? null;
  }

  async sentStates(channelId: number, fingerprints: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks([...new Set(fingerprints)], 500)) {
      const rows = await this.db.selectFrom('notify_sent').select(['fingerprint', 'state']).where('channel_id', '=', channelId).where('fingerprint', 'in', part).execute();
      for (const r of rows) out.set(r.fingerprint, r.state);
    }
    return out;
  }

  async ticketStates(channelId: number, keys: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks([...new Set(keys)], 500)) {
      const rows = await this.db.selectFrom('notify_tickets').select(['ticket_key', 'state']).where('channel_id', '=', channelId).where('ticket_key', 'in', part).execute();
      for (const r of rows) out.set(r.ticket_key, r.state);
    }
    return out;
  }

  async ticketState(channelId: number, key: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('notify_tickets').select('state').where('channel_id', '=', channelId).where('ticket_key', '=', key).executeTakeFirst();
    return r?.state;
  }

  /** One transaction: a crash leaves either all of it (and the cursor past these events) or none. */
  async enqueue(b: EnqueueBatch): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const t = now();
      let inserted = 0;
      for (const part of chunks(b.deliveries, 200)) {
        const r = await tx
          .insertInto('notify_deliveries')
          .values(part.map((d) => ({ ...d, status: 'pending' as const, attempts: 0, next_attempt_at: t, last_error: null, created_at: t, updated_at: t })))
          .onConflict((oc) => oc.column('idempotency_key').doNothing())
          .executeTakeFirst();
        inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      for (const part of chunks(b.sent, 300)) {
        await tx.insertInto('notify_sent').values(part).onConflict((oc) => oc.columns(['channel_id', 'fingerprint']).doUpdateSet((eb) => ({ state: eb.ref('excluded.state') }))).execute();
      }
      for (const part of chunks(b.tickets, 300)) {
        await tx
          .insertInto('notify_tickets')
          .values(part.map((k) => ({ ...k, updated_at: t })))
          .onConflict((oc) => oc.columns(['channel_id', 'ticket_key']).doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), updated_at: eb.ref('excluded.updated_at') })))
          .execute();
      }
      await tx.insertInto('notify_cursor').values({ name: FEED, cursor: b.cursor }).onConflict((oc) => oc.column('name').doUpdateSet({ cursor: b.cursor })).execute();
      return inserted;
    });
  }

  async due(limit: number, at = now()): Promise<DeliveryRow[]> {
    return this.db.selectFrom('notify_deliveries').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', at).orderBy('id').limit(limit).execute();
  }

  /** Takes a due delivery for `leaseMs` (so a second notifier skips it); false when someone else took it. */
  async claim(d: Pick<DeliveryRow, 'id' | 'next_attempt_at'>, leaseMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('notify_deliveries')
      .set({ next_attempt_at: new Date(Date.now() + leaseMs).toISOString(), updated_at: now() })
      .where('id', '=', d.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', d.next_attempt_at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async markDone(id: number, attempts: number): Promise<void> {
    await this.db.updateTable('notify_deliveries').set({ status: 'done', attempts, last_error: null, updated_at: now() }).where('id', '=', id).execute();
  }

  async markRetry(id: number, attempts: number, nextAt: string, error: string): Promise<void> {
    await this.db.updateTable('notify_deliveries').set({ attempts, next_attempt_at: nextAt, last_error: error, updated_at: now() }).where('id', '=', id).execute();
  }

  async markDead(id: number, attempts: number, error: string): Promise<void> {
    await this.db.updateTable('notify_deliveries').set({ status: 'dead', attempts, last_error: error, updated_at: now() }).where('id', '=', id).execute();
  }

  async deliveries(opts: { status?: DeliveryRow['status']; limit: number }): Promise<(DeliveryRow & { channel: string })[]> {
    let q = this.db.selectFrom('notify_deliveries').innerJoin('notify_channels', 'notify_channels.id', 'notify_deliveries.channel_id').selectAll('notify_deliveries').select('notify_channels.name as channel');
    if (opts.status) q = q.where('notify_deliveries.status', '=', opts.status);
    return q.orderBy('notify_deliveries.id', 'desc').limit(opts.limit).execute();
  }

  /** The parent message of a project's digest thread in a Slack channel (bot token), when there is one. */
  async slackThread(channelId: number, projectId: number): Promise<string | undefined> {
    const r = await this.db.selectFrom('slack_threads').select('thread_ts').where('channel_id', '=', channelId).where('project_id', '=', projectId).executeTakeFirst();
    return r?.thread_ts;
  }

  async saveSlackThread(channelId: number, projectId: number, slackChannel: string, ts: string): Promise<void> {
    await this.db.insertInto('slack_threads').values({ channel_id: channelId, project_id: projectId, slack_channel: slackChannel, thread_ts: ts, created_at: now() }).onConflict((oc) => oc.columns(['channel_id', 'project_id']).doNothing()).execute();
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('notify_deliveries').select((eb) => ['status', eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** A dead delivery back into the queue, due now; false when there is no dead delivery with this id. */
  async retry(id: number): Promise<boolean> {
    const r = await this.db.updateTable('notify_deliveries').set({ status: 'pending', attempts: 0, next_attempt_at: now(), updated_at: now() }).where('id', '=', id).where('status', '=', 'dead').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
