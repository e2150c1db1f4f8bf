import type { EventFeed, FindingEvent, FindingEventKind } from '../events/types.js';
import { FINDING_EVENT_KINDS } from '../events/types.js';

/** The finding lifecycle events the notifier reads: the monitoring outbox's type (src/server/events/types.ts). */
export type { EventFeed, FindingEvent, FindingEventKind };

export { FINDING_EVENT_KINDS };

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
