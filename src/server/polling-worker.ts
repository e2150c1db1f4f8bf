/**
 * A loop that claims and handles one unit of work at a time from the store (ingestion entries, image scan
 * jobs): it works while there is work, then waits `idleMs` (or until `notify()`), and backs off up to 30 s while
 * the store cannot be reached. Subclasses say how to handle one unit and how to report an unreachable store.
 */
export abstract class PollingWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly idleMs: number) {}

  /** Claims and handles one unit; false when there was nothing to claim. Throws when the store is unreachable. */
  abstract processOne(): Promise<boolean>;

  /** Told when processOne threw (the store is unreachable); the loop waits and tries again. */
  protected abstract storeUnreachable(e: unknown): void;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Wakes the loop now (after new work was queued). */
  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Handles due units until none is left; returns how many were handled. */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.processOne()) n++;
    return n;
  }

  private async run(): Promise<void> {
    let backoff = this.idleMs;
    while (this.running) {
      let worked = false;
      try {
        worked = await this.processOne();
        backoff = this.idleMs;
      } catch (e) {
        this.storeUnreachable(e);
        backoff = Math.min(backoff * 2, 30_000);
      }
      if (!worked && this.running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoff);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
