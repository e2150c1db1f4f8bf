import type { Severity } from '../../core/severity.js';

/**
 * The finding lifecycle event, as served by the monitoring side (issue 13) at GET /api/v1/events.
 * A copy of the shared contract (docs: /work/notes/WAVE3.md); the monitoring module exports the same type from
 * src/server/events/types.ts and one of the two is removed at merge.
 */
export type FindingEventKind = 'new' | 'reopened' | 'fixed' | 'suppressed' | 'severity-changed' | 'fix-available';

export const FINDING_EVENT_KINDS: readonly FindingEventKind[] = ['new', 'reopened', 'fixed', 'suppressed', 'severity-changed', 'fix-available'];

export interface FindingEvent {
  cursor: string;
  kind: FindingEventKind;
  fingerprint: string;
  occurredAt: string;
  project: { id: number; name: string; team: string | null };
  target: string;
  finding: {
    id: string;
    aliases: string[];
    severity: Severity;
    title: string | null;
    fixedVersion: string | null;
    package: { ecosystem: string; name: string; version: string; purl: string };
  };
  cause: { kind: 'scan' | 'db-refresh' | 'profile' | 'expiry'; id: string | null };
  suppression?: { reason: string; expires: string | null };
  previous?: { severity?: Severity; fixedVersion?: string | null };
}

/** Where the notifier reads events from: the events outbox in the server, an in-memory list in tests. */
export interface EventFeed {
  /** Events with a cursor greater than `cursor` (all when null), oldest first, at most `limit`. */
  after(cursor: string | null, limit: number): Promise<FindingEvent[]>;
}

/** An EventFeed over a list held in memory (tests, `channel test`). Cursors must be decimal and increasing. */
export class MemoryEventFeed implements EventFeed {
  private readonly events: FindingEvent[] = [];

  push(...events: FindingEvent[]): void {
    for (const e of events) {
      const last = this.events.at(-1);
      if (!/^[0-9]+$/.test(e.cursor)) throw new Error(`event cursor ${JSON.stringify(e.cursor)} is not a decimal string`);
      if (last && BigInt(e.cursor) <= BigInt(last.cursor)) throw new Error(`event cursor ${e.cursor} does not follow ${last.cursor}`);
      this.events.push(e);
    }
  }

  after(cursor: string | null, limit: number): Promise<FindingEvent[]> {
    const from = cursor === null ? -1n : BigInt(cursor);
    return Promise.resolve(this.events.filter((e) => BigInt(e.cursor) > from).slice(0, limit));
  }
}
