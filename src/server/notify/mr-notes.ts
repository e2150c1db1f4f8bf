import type { AdvisoryReader } from '../../advisory/reader.js';
import type { CiContext } from '../../core/ci.js';
import { describeError } from '../../core/errors.js';
import type { Policy } from '../../policy/decide.js';
import { branchDiff } from '../monitor/branch-diff.js';
import type { SecretBox } from '../secret-box.js';
import type { MrJobRow } from '../store/merge-requests.js';
import type { Store } from '../store/store.js';
import { randomId } from '../store/util.js';
import { channelFromRow } from './config.js';
import { DeliveryError } from './delivery-error.js';
import type { Forge, MrDiff } from './mr-note.js';
import { forgeOf, forgeServes, mrKey, setCommitStatus, upsertMrNote } from './mr-note.js';
import type { NotifierLog } from './notifier.js';

export interface MergeRequestNotifierOptions {
  secrets: SecretBox;
  /** The server's advisory database (the monitor's); jobs wait while there is none. */
  reader: () => AdvisoryReader | undefined;
  /** The project's policy (the monitor's profiles): the server's gate. */
  policyFor: (project: string) => Policy;
  /** How often due jobs are looked for (default 2 s). */
  windowMs?: number;
  leaseMs?: number;
  /** Attempts before a job is dead (default 8). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A job waiting for the default branch's first evaluation or the advisory database looks again after this (default 5 s). */
  waitMs?: number;
  random?: () => number;
  log?: NotifierLog;
  now?: () => Date;
}

interface Target {
  channelId: number;
  channel: string;
  forge: Forge;
  dashboardUrl: string | null;
}

/**
 * Answers merge/pull request scans: for each stored scan whose `ci` block names a merge request (queued with the
 * scan), compares it with the default branch's state and keeps ONE note on the merge request up to date through
 * the gitlab/github channel whose API URL is the report's, then sets the commit status `bulwark` to the server's
 * gate. The token goes only to the channel's own URL, never to one a report names. At least once: a job is
 * leased, retried with back-off (Retry-After honoured) and dead after the last attempt.
 */
export class MergeRequestNotifier {
  private readonly id = `mr-notes-${process.pid}-${randomId()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly o: Required<Omit<MergeRequestNotifierOptions, 'log'>> & Pick<MergeRequestNotifierOptions, 'log'>;

  constructor(
    private readonly store: Store,
    opts: MergeRequestNotifierOptions,
  ) {
    this.o = { windowMs: 2000, leaseMs: 120_000, maxAttempts: 8, backoffBaseMs: 2000, backoffMaxMs: 15 * 60_000, waitMs: 5000, random: Math.random, now: () => new Date(), ...opts };
  }

  private backoffMs(attempts: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return Math.min(this.o.backoffMaxMs, retryAfterMs) + Math.floor(this.o.random() * 250);
    const exp = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.floor(exp / 2 + (this.o.random() * exp) / 2);
  }

  /** The channels that answer this report's merge request: same provider and API URL. */
  private async targets(ci: CiContext): Promise<Target[]> {
    const out: Target[] = [];
    for (const row of await this.store.notify.channels()) {
      if (row.type !== 'gitlab' && row.type !== 'github') continue;
      const options = JSON.parse(row.options) as { url?: string; apiUrl?: string; mergeRequests?: boolean };
      const apiUrl = row.type === 'github' ? (options.apiUrl ?? 'https://api.github.com') : options.mergeRequests ? `${String(options.url).replace(/\/+$/, '')}/api/v4` : null;
      if (apiUrl === null || !forgeServes({ provider: row.type, apiUrl }, ci)) continue;
      // Opened only once it matches: a channel whose secrets cannot be read fails this job, saying why.
      let forge: Forge | null;
      let config;
      try {
        ({ config } = channelFromRow(row, this.o.secrets));
        forge = forgeOf(config);
      } catch (e) {
        throw new DeliveryError(`channel ${row.name} cannot be opened: ${describeError(e)}`, false);
      }
      if (forge) out.push({ channelId: row.id, channel: row.name, forge, dashboardUrl: config.options.dashboardUrl ?? null });
    }
    return out;
  }

  /** One job: 'waiting' when it must look again later without spending an attempt. */
  private async process(job: MrJobRow): Promise<{ status: 'done' | 'skipped' | 'waiting'; outcome: string }> {
    const ci = JSON.parse(job.ci) as CiContext;
    if (ci.mergeRequest === undefined) return { status: 'skipped', outcome: 'no merge request in the ci block' };
    const targets = await this.targets(ci);
    if (targets.length === 0) return { status: 'skipped', outcome: `no ${ci.provider} channel answers merge requests for ${new URL(ci.apiUrl).host}` };
    const reader = this.o.reader();
    if (!reader) return { status: 'waiting', outcome: 'the server has no advisory database yet' };
    const project = await this.store.db.selectFrom('projects').select('name').where('id', '=', job.project_id).executeTakeFirst();
    if (!project) return { status: 'skipped', outcome: 'the project was removed' };
    const d = await branchDiff(this.store.db, reader, this.o.policyFor(project.name), { projectId: job.project_id, scanId: job.scan_id, target: job.target }, this.o.now());
    if (!d.ready) return { status: 'waiting', outcome: d.why };
    const mr = { project: ci.project, mergeRequest: ci.mergeRequest, sha: ci.sha };
    const key = mrKey(ci);
    const done: string[] = [];
    for (const t of targets) {
      const body: MrDiff = {
        project: project.name,
        base: d.baseScanned ? (ci.defaultBranch ?? 'default branch') : null,
        added: d.added.map((f) => ({ id: f.id, severity: f.severity, package: f.package, version: f.version, fixedVersion: f.fixedVersion })),
        fixed: d.fixed.map((f) => ({ id: f.id, severity: f.severity, package: f.package, version: f.version, fixedVersion: f.fixedVersion })),
        gate: { passed: d.gate.passed, reason: d.gate.reason },
        dashboardUrl: t.dashboardUrl,
        pipelineUrl: ci.pipelineUrl ?? null,
      };
      const known = await this.store.mergeRequests.note(t.channelId, key);
      const r = await upsertMrNote(t.forge, mr, body, known ? { noteId: known.note_id, bodyHash: known.body_hash } : undefined);
      // Saved before the status: a failed status call retries the job, and the note is then found, not posted again.
      await this.store.mergeRequests.saveNote(t.channelId, key, r.note.noteId, r.note.bodyHash);
      const link = t.dashboardUrl ? `${t.dashboardUrl.replace(/\/+$/, '')}/#/projects/${encodeURIComponent(project.name)}` : null;
      await setCommitStatus(t.forge, mr, body.gate, link);
      done.push(`${t.channel}: note ${r.outcome} (${body.added.length} added, ${body.fixed.length} fixed), status ${body.gate.passed ? 'success' : 'failed'}`);
    }
    return { status: 'done', outcome: done.join('; ') };
  }

  /** Processes the due jobs; how many were handled. */
  async tick(limit = 50): Promise<number> {
    const jobs = await this.store.mergeRequests.claim(this.id, this.o.leaseMs, limit);
    for (const job of jobs) {
      try {
        const r = await this.process(job);
        if (r.status === 'waiting') await this.store.mergeRequests.postpone(job, this.o.waitMs, r.outcome);
        else await this.store.mergeRequests.finish(job, r.status, r.outcome, null);
        this.o.log?.info({ job: job.id, status: r.status, outcome: r.outcome }, 'merge-request note');
      } catch (e) {
        const err = e instanceof DeliveryError ? e : new DeliveryError(describeError(e), false);
        const msg = err.message.slice(0, 500);
        const attempts = job.attempts + 1;
        if (!err.retryable || attempts >= this.o.maxAttempts) {
          await this.store.mergeRequests.finish(job, 'dead', null, msg);
          this.o.log?.warn({ job: job.id, attempts, error: msg }, 'merge-request note failed for good');
        } else await this.store.mergeRequests.retry(job, this.backoffMs(attempts, err.retryAfterMs), msg);
      }
    }
    return jobs.length;
  }

  start(): void {
    if (this.timer) return;
    const run = (): void => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((e: unknown) => this.o.log?.warn({ error: describeError(e) }, 'merge-request notes: window failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(run, this.o.windowMs);
        });
    };
    this.timer = setTimeout(run, this.o.windowMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
