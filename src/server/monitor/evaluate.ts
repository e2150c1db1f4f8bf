import type { Insertable, Selectable, Transaction } from 'kysely';
import type { AdvisoryReader } from '../../advisory/reader.js';
import type { Package } from '../../core/package.js';
import type { Finding, UndecidedReport } from '../../core/report.js';
import type { Severity } from '../../core/severity.js';
import { isSeverity } from '../../core/severity.js';
import { matchPackages } from '../../match/engine.js';
import type { Policy } from '../../policy/decide.js';
import { decide } from '../../policy/decide.js';
import { isExpired } from '../../policy/suppress.js';
import { findingFingerprint } from '../events/fingerprint.js';
import type { StoredEvent } from '../events/outbox.js';
import { appendEvents } from '../events/outbox.js';
import type { EventCause, FindingEventKind } from '../events/types.js';
import type { Engine } from '../store/migrations.js';
import type { JobRow } from '../store/monitor.js';
import type { Database } from '../store/types.js';
import { packageKey, packagesScanOf } from './inventory.js';

type StoredFinding = Selectable<Database['monitor_findings']>;

export interface EvaluationContext {
  engine: Engine;
  reader: AdvisoryReader;
  policyFor(project: string): Policy;
  now: Date;
  /**
   * Several jobs in one transaction: their events are collected here and appended once by the caller, so the
   * outbox lock is held only for that insert and the commit, not across the other jobs' matching.
   */
  outbox?: StoredEvent[];
}

export interface EvaluationResult {
  events: number;
  /** False when the job's lease was lost (another worker took it over): nothing was written. */
  applied: boolean;
}

function sev(s: string): Severity {
  return isSeverity(s) ? s : 'UNKNOWN';
}

/** A report for the policy to decide on: the server's findings over an inventory. */
export function undecided(findings: Finding[], packages: Package[], target: string, at: Date): UndecidedReport {
  return {
    schemaVersion: '1.1.0',
    tool: { name: 'bulwark', version: 'server' },
    createdAt: at.toISOString(),
    target: { kind: 'directory', name: target },
    os: null,
    database: null,
    packages,
    findings,
    unknowns: [],
    errors: [],
  };
}

/** The stored finding back as a Finding for the gate: what the gate and the exception rules look at. */
function asFinding(r: StoredFinding): Finding {
  return {
    id: r.advisory_id,
    aliases: JSON.parse(r.aliases) as string[],
    package: { ecosystem: r.ecosystem, name: r.name, version: r.version, purl: r.purl, dev: false },
    severity: sev(r.severity),
    severitySource: null,
    cvss: null,
    fixedVersion: r.fixed_version,
    fixState: r.fixed_version ? 'fixed' : 'not-fixed',
    title: r.title,
    references: [],
    why: '',
    advisories: [],
    locations: [],
    ...(r.state === 'suppressed' ? { suppressed: { by: r.suppression_by ?? '', reason: r.suppression_reason ?? '', ...(r.suppression_expires ? { expires: r.suppression_expires } : {}) } } : {}),
  };
}

/**
 * Re-matches one inventory (all of it, or only the packages holding the refresh's touched keys) with the
 * server's advisory database and the project's policy, and moves each finding through its lifecycle:
 * new → open → fixed, reopened, suppressed (and back when the exception expires), severity changes and fixes
 * becoming available. The changes, their events (outbox) and the job's completion are one transaction: a
 * crash before the commit leaves the job to be leased again, and nothing half-written.
 */
export async function evaluateJob(trx: Transaction<Database>, ctx: EvaluationContext, job: JobRow): Promise<EvaluationResult> {
  // The job is still ours (the lease did not run out and pass to another worker).
  const owned = await trx
    .updateTable('monitor_jobs')
    .set({ status: 'done', done_at: ctx.now.toISOString(), error: null })
    .where('id', '=', job.id)
    .where('status', '=', 'queued')
    .where('lease_owner', '=', job.lease_owner)
    .executeTakeFirst();
  if (Number(owned.numUpdatedRows) !== 1) return { events: 0, applied: false };

  const inv = await trx
    .selectFrom('inventories as i')
    .innerJoin('projects as p', 'p.id', 'i.project_id')
    .innerJoin('scans as s', 's.id', 'i.scan_id')
    .leftJoin('teams as t', 't.id', 'p.team_id')
    .select(['i.id', 'i.project_id', 'i.target', 'i.scan_id', 'p.name as project_name', 't.name as team_name', packagesScanOf('s').as('packages_scan_id')])
    .where('i.id', '=', job.inventory_id)
    .executeTakeFirst();
  if (!inv) return { events: 0, applied: true };
  // NO KEY UPDATE: evaluations of one inventory and scans moving it on are serialised; the rows that only
  // reference it (a scan's job being queued) are not held up.
  if (ctx.engine === 'postgres') await trx.selectFrom('inventories').select('id').where('id', '=', inv.id).forNoKeyUpdate().execute();

  const partial = job.refresh_id !== null;
  let pkgQuery = trx.selectFrom('scan_packages as sp').select('sp.data').where('sp.scan_id', '=', inv.packages_scan_id);
  let rowQuery = trx.selectFrom('monitor_findings as mf').selectAll('mf').where('mf.inventory_id', '=', inv.id);
  if (partial) {
    const rid = job.refresh_id!;
    pkgQuery = pkgQuery.innerJoin('refresh_keys as rk', (j) => j.onRef('rk.ecosystem', '=', 'sp.ecosystem').onRef('rk.key_name', '=', 'sp.key_name').on('rk.refresh_id', '=', rid));
    rowQuery = rowQuery.innerJoin('refresh_keys as rk', (j) => j.onRef('rk.ecosystem', '=', 'mf.ecosystem').onRef('rk.key_name', '=', 'mf.key_name').on('rk.refresh_id', '=', rid));
  }
  const packages = (await pkgQuery.execute()).map((r) => JSON.parse(r.data) as Package);
  const stored = await rowQuery.execute();

  const policy = ctx.policyFor(inv.project_name);
  const matched = matchPackages(packages, ctx.reader);
  const judged = decide(undecided(matched.findings, packages, inv.target, ctx.now), policy, ctx.now).report.findings;

  const at = ctx.now.toISOString();
  const cause: EventCause = { kind: job.cause_kind, id: job.cause_id };
  const project = { id: inv.project_id, name: inv.project_name, team: inv.team_name ?? null };
  const events: StoredEvent[] = [];
  const event = (kind: FindingEventKind, fp: string, f: Finding, extra: Partial<StoredEvent> = {}, why: EventCause = cause): void => {
    events.push({
      kind,
      fingerprint: fp,
      occurredAt: at,
      project,
      target: inv.target,
      finding: {
        id: f.id,
        aliases: f.aliases,
        severity: f.severity,
        title: f.title,
        fixedVersion: f.fixedVersion,
        package: { ecosystem: f.package.ecosystem, name: f.package.name, version: f.package.version, purl: f.package.purl },
      },
      cause: why,
      ...(f.suppressed ? { suppression: { reason: f.suppressed.reason, expires: f.suppressed.expires ?? null } } : {}),
      ...extra,
    });
  };

  const byFp = new Map(stored.map((r) => [r.fingerprint, r]));
  const seen = new Set<string>();
  const inserts: Insertable<Database['monitor_findings']>[] = [];
  const unchanged: number[] = [];
  for (const f of judged) {
    const fp = findingFingerprint(inv.project_id, inv.target, f.id, f.package.ecosystem, f.package.name, f.package.version);
    if (seen.has(fp)) continue;
    seen.add(fp);
    const state = f.suppressed ? 'suppressed' : 'open';
    const s = byFp.get(fp);
    const values = {
      state,
      advisory_id: f.id,
      aliases: JSON.stringify(f.aliases),
      severity: f.severity,
      fixed_version: f.fixedVersion,
      title: f.title,
      suppression_reason: f.suppressed?.reason ?? null,
      suppression_by: f.suppressed?.by ?? null,
      suppression_expires: f.suppressed?.expires ?? null,
      last_seen_at: at,
    } as const;
    if (!s) {
      const key = packageKey({ ecosystem: f.package.ecosystem, name: f.package.source?.name ?? f.package.name, version: f.package.version, purl: f.package.purl, locations: [], foundBy: '' });
      inserts.push({
        ...values,
        inventory_id: inv.id,
        project_id: inv.project_id,
        fingerprint: fp,
        ecosystem: f.package.ecosystem,
        key_name: key.keyName,
        name: f.package.name,
        version: f.package.version,
        purl: f.package.purl,
        first_seen_at: at,
        changed_at: at,
        cause_kind: cause.kind,
        cause_id: cause.id,
      });
      event(state === 'open' ? 'new' : 'suppressed', fp, f);
      continue;
    }
    const kinds: { kind: FindingEventKind; extra?: Partial<StoredEvent>; why?: EventCause }[] = [];
    if (s.state !== state) {
      if (state === 'suppressed') kinds.push({ kind: 'suppressed' });
      else if (s.state === 'suppressed') {
        // Back from a suppression: its exception expired, or the profile no longer has it.
        const expired = s.suppression_expires !== null && isExpired(s.suppression_expires, ctx.now);
        kinds.push({ kind: 'reopened', why: expired ? { kind: 'expiry', id: s.suppression_by } : cause });
      } else kinds.push({ kind: 'reopened' });
    }
    if (s.state !== 'fixed') {
      if (s.severity !== f.severity) kinds.push({ kind: 'severity-changed', extra: { previous: { severity: sev(s.severity) } } });
      if (s.fixed_version === null && f.fixedVersion !== null) kinds.push({ kind: 'fix-available', extra: { previous: { fixedVersion: null } } });
    }
    const same =
      kinds.length === 0 &&
      s.aliases === values.aliases &&
      s.fixed_version === values.fixed_version &&
      s.title === values.title &&
      s.suppression_by === values.suppression_by &&
      s.suppression_reason === values.suppression_reason &&
      s.suppression_expires === values.suppression_expires;
    if (same) {
      unchanged.push(s.id);
      continue;
    }
    const changed = kinds.length > 0;
    await trx
      .updateTable('monitor_findings')
      .set({ ...values, ...(changed ? { changed_at: at, cause_kind: kinds[0]!.why?.kind ?? cause.kind, cause_id: kinds[0]!.why?.id ?? cause.id } : {}) })
      .where('id', '=', s.id)
      .execute();
    for (const k of kinds) event(k.kind, fp, f, k.extra ?? {}, k.why ?? cause);
  }
  for (let i = 0; i < inserts.length; i += 200) await trx.insertInto('monitor_findings').values(inserts.slice(i, i + 200)).execute();
  for (let i = 0; i < unchanged.length; i += 500) await trx.updateTable('monitor_findings').set({ last_seen_at: at }).where('id', 'in', unchanged.slice(i, i + 500)).execute();
  const gone = stored.filter((s) => !seen.has(s.fingerprint) && s.state !== 'fixed');
  for (let i = 0; i < gone.length; i += 500) {
    await trx
      .updateTable('monitor_findings')
      .set({ state: 'fixed', changed_at: at, cause_kind: cause.kind, cause_id: cause.id })
      .where('id', 'in', gone.slice(i, i + 500).map((g) => g.id))
      .execute();
  }
  for (const s of gone) {
    const f = asFinding(s);
    delete f.suppressed;
    event('fixed', s.fingerprint, f);
  }

  // The gate, decided by the server with the project's policy over the inventory's current findings.
  const current = await trx.selectFrom('monitor_findings').selectAll().where('inventory_id', '=', inv.id).where('state', '!=', 'fixed').execute();
  const gate = decide(undecided(current.map(asFinding), [], inv.target, ctx.now), policy, ctx.now).report.gate;
  await trx
    .updateTable('inventories')
    .set({ gate_passed: gate.passed ? 1 : 0, gate_reason: gate.reason, gate_profile: gate.profile ?? null, evaluated_at: at })
    .where('id', '=', inv.id)
    .execute();
  // Last: on PostgreSQL the outbox lock is then held only for the insert and the commit.
  if (ctx.outbox) ctx.outbox.push(...events);
  else await appendEvents(trx, ctx.engine, events);
  return { events: events.length, applied: true };
}
