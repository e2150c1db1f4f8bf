import type { FastifyInstance } from 'fastify';
import type { RawBuilder } from 'kysely';
import { sql } from 'kysely';
import { userOf } from '../auth.js';
import { NotFoundError } from '../errors.js';
import type { Monitor } from '../monitor/monitor.js';
import type { Engine } from '../store/migrations.js';
import type { RouteContext } from './context.js';
import { adminSecurity, audit, errorBody, nameParams, userSecurity } from './context.js';
import { visibleProject } from './projects.js';
import { visibleProjectIds } from './events.js';
import { packagesScanOf } from '../monitor/inventory.js';

const anyObject = { type: 'object', additionalProperties: true } as const;

/** The lifecycle changes "what changed" counts (exception-expiring is a warning, not a change). */
const CHANGE_KINDS = ['new', 'reopened', 'fixed', 'severity-changed', 'fix-available', 'suppressed'];
/** Advisories named per advisory update on the "what changed" page (the count says how many there are in all). */
const MAX_ADVISORIES = 20;

/** A text field of an event's JSON payload (`cause.id`, `finding.id`), in the engine's own JSON syntax. */
function payloadField(engine: Engine, ...keys: [string, string]): RawBuilder<string | null> {
  return engine === 'postgres' ? sql<string | null>`(e.payload::json #>> ${sql.lit(`{${keys.join(',')}}`)})` : sql<string | null>`json_extract(e.payload, ${sql.lit(`$.${keys.join('.')}`)})`;
}

/**
 * Monitoring: the server's own view (inventories, findings and their lifecycle, the gate it decides with the
 * project's profile), "what changed" since a date, and the admin triggers (advisory refresh, profile sync).
 */
export function monitorRoutes(ctx: RouteContext, monitor: Monitor | undefined) {
  return async (app: FastifyInstance): Promise<void> => {
    const { store } = ctx;
    const need = (): Monitor => {
      if (!monitor) throw new NotFoundError('monitoring (this server runs without it)');
      return monitor;
    };

    app.post(
      '/api/v1/admin/db/refresh',
      { config: { auth: 'admin' }, schema: { summary: 'Refresh the advisory database now and queue the re-matches it implies', tags: ['monitor'], security: adminSecurity, response: { 200: anyObject, 404: errorBody } } },
      async (req) => {
        const m = need();
        const r = await m.refresh();
        await audit(ctx, userOf(req), 'db.refresh', m.opts.dbSource ?? 'upstream', { refreshId: r.refreshId, keys: r.keys, inventories: r.inventories });
        return r;
      },
    );

    app.post(
      '/api/v1/admin/profiles/sync',
      { config: { auth: 'admin' }, schema: { summary: 'Sync the security-profile repository now', tags: ['monitor'], security: adminSecurity, response: { 200: anyObject, 404: errorBody } } },
      async (req) => {
        const m = need();
        if (m.opts.profileRepo === undefined) throw new NotFoundError('profile repository (start the server with --profile-repo)');
        const r = await m.syncProfiles();
        await audit(ctx, userOf(req), 'profiles.sync', m.opts.profileRepo, { changed: r.changed, jobs: r.jobs });
        return r;
      },
    );

    app.get(
      '/api/v1/admin/monitor',
      { config: { auth: 'admin' }, schema: { summary: 'Monitoring status: advisory refreshes, re-match jobs', tags: ['monitor'], security: adminSecurity, response: { 200: anyObject } } },
      async () => ({
        database: monitor?.advisoryReader ? { path: monitor.dbPath, builtAt: monitor.advisoryReader.meta('built_at') ?? null } : null,
        refreshes: await store.monitor.refreshes(20),
        jobs: await store.monitor.jobCounts(),
        profileHash: monitor?.profiles.hash ?? null,
      }),
    );

    app.get(
      '/api/v1/changes',
      {
        schema: {
          summary: 'What changed: new and reopened findings since a date, per project and over the portfolio',
          tags: ['monitor'],
          security: userSecurity,
          querystring: { type: 'object', required: ['since'], properties: { since: { type: 'string', format: 'date-time' }, project: { type: 'string', maxLength: 128 } }, additionalProperties: false },
          response: { 200: anyObject, 400: errorBody },
        },
      },
      async (req) => {
        const q = req.query as { since: string; project?: string };
        const since = new Date(q.since).toISOString();
        let ids = await visibleProjectIds(ctx, userOf(req));
        if (q.project !== undefined) {
          const p = await store.projects.byName(q.project);
          ids = ids === undefined ? [p?.id ?? -1] : ids.filter((x) => x === p?.id);
        }
        let events = store.db.selectFrom('events as e').where('e.occurred_at', '>=', since).where('e.kind', 'in', CHANGE_KINDS);
        if (ids !== undefined) events = ids.length === 0 ? events.where('e.id', '<', 0) : events.where('e.project_id', 'in', ids);
        const rows = await events
          .innerJoin('projects as p', 'p.id', 'e.project_id')
          .select(['p.name as project', 'e.kind', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy(['p.name', 'e.kind'])
          .execute();
        const projects = new Map<string, Record<string, number>>();
        const total: Record<string, number> = {};
        for (const r of rows) {
          const p = projects.get(r.project) ?? {};
          p[r.kind] = Number(r.n);
          projects.set(r.project, p);
          total[r.kind] = (total[r.kind] ?? 0) + Number(r.n);
        }
        // The advisory updates that caused these changes: the refreshes named as the cause of an event counted above,
        // with what each caused (per kind) and the advisories (not every refresh since then that touched a key).
        const causeId = payloadField(store.engine, 'cause', 'id');
        const advisory = payloadField(store.engine, 'finding', 'id');
        const caused = await events
          .select([causeId.as('refresh'), 'e.kind', advisory.as('advisory'), (eb) => eb.fn.countAll<number>().as('n')])
          .where(payloadField(store.engine, 'cause', 'kind'), '=', 'db-refresh')
          .groupBy([causeId, 'e.kind', advisory])
          .execute();
        const byRefresh = new Map<number, { caused: Record<string, number>; advisories: Set<string> }>();
        for (const c of caused) {
          const id = Number(c.refresh);
          if (!Number.isSafeInteger(id)) continue;
          const r = byRefresh.get(id) ?? { caused: {}, advisories: new Set<string>() };
          r.caused[c.kind] = (r.caused[c.kind] ?? 0) + Number(c.n);
          if (c.advisory) r.advisories.add(c.advisory);
          byRefresh.set(id, r);
        }
        const refreshes = byRefresh.size === 0 ? [] : await store.db
          .selectFrom('advisory_refreshes')
          .select(['id', 'finished_at', 'source', 'added', 'modified', 'withdrawn', 'keys', 'inventories'])
          .where('id', 'in', [...byRefresh.keys()])
          .orderBy('id', 'desc')
          .limit(50)
          .execute();
        const causes = refreshes.map((r) => {
          const c = byRefresh.get(r.id)!;
          const advisories = [...c.advisories].sort();
          return { ...r, caused: c.caused, advisories: advisories.slice(0, MAX_ADVISORIES), advisoryCount: advisories.length };
        });
        return { since, total, projects: [...projects].map(([name, counts]) => ({ name, ...counts })).sort((a, b) => a.name.localeCompare(b.name)), refreshes: causes };
      },
    );

    app.get(
      '/api/v1/projects/:name/timeline',
      {
        schema: {
          summary: "The project's lifecycle events, newest first",
          tags: ['monitor'],
          security: userSecurity,
          params: nameParams,
          querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, before: { type: 'string', pattern: '^[0-9]{1,15}$' } }, additionalProperties: false },
          response: { 200: anyObject, 404: errorBody },
        },
      },
      async (req) => {
        const p = await visibleProject(ctx, req);
        const q = req.query as { limit: number; before?: string };
        let query = store.db.selectFrom('events').select(['id', 'payload']).where('project_id', '=', p.id).orderBy('id', 'desc').limit(q.limit);
        if (q.before !== undefined) query = query.where('id', '<', Number(q.before));
        const rows = await query.execute();
        return { items: rows.map((r) => ({ cursor: String(r.id), ...(JSON.parse(r.payload) as object) })) };
      },
    );

    app.get(
      '/api/v1/projects/:name/monitor',
      {
        schema: {
          summary: "The server's view of the project: each target's current inventory, its gate (decided with the project's profile) and findings",
          tags: ['monitor'],
          security: userSecurity,
          params: nameParams,
          response: { 200: anyObject, 404: errorBody },
        },
      },
      async (req) => {
        const p = await visibleProject(ctx, req);
        const inventories = await store.db.selectFrom('inventories').selectAll().where('project_id', '=', p.id).orderBy('target').execute();
        const findings = await store.db
          .selectFrom('monitor_findings')
          .select(['inventory_id', 'fingerprint', 'state', 'advisory_id', 'severity', 'ecosystem', 'name', 'version', 'fixed_version', 'title', 'suppression_reason', 'suppression_expires', 'first_seen_at', 'last_seen_at', 'changed_at', 'cause_kind', 'cause_id'])
          .where('project_id', '=', p.id)
          .where('state', '!=', 'fixed')
          .orderBy('id')
          .execute();
        const counts = await store.db
          .selectFrom('scans as s')
          .innerJoin('scan_packages as sp', (j) => j.on('sp.scan_id', '=', packagesScanOf('s')))
          .select(['s.id as scan_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('s.id', 'in', inventories.length ? inventories.map((i) => i.scan_id) : [-1])
          .groupBy('s.id')
          .execute();
        const n = new Map(counts.map((c) => [c.scan_id, Number(c.n)]));
        return {
          project: p.name,
          gate: inventories.length === 0 || inventories.some((i) => i.gate_passed === null) ? null : inventories.every((i) => i.gate_passed === 1),
          targets: inventories.map((i) => ({
            target: i.target,
            scanId: i.scan_id,
            packages: n.get(i.scan_id) ?? 0,
            updatedAt: i.updated_at,
            evaluatedAt: i.evaluated_at,
            gate: i.gate_passed === null ? null : { passed: i.gate_passed === 1, reason: i.gate_reason, profile: i.gate_profile },
            findings: findings.filter((f) => f.inventory_id === i.id),
          })),
        };
      },
    );

    app.get(
      '/api/v1/portfolio/gates',
      { schema: { summary: "Each visible project's gate as the server decides it (every target's current inventory must pass)", tags: ['monitor'], security: userSecurity, response: { 200: anyObject } } },
      async (req) => {
        const ids = await visibleProjectIds(ctx, userOf(req));
        let q = store.db
          .selectFrom('inventories as i')
          .innerJoin('projects as p', 'p.id', 'i.project_id')
          .select(['p.name', 'i.target', 'i.gate_passed', 'i.gate_reason', 'i.gate_profile']);
        if (ids !== undefined) q = ids.length === 0 ? q.where('i.id', '<', 0) : q.where('i.project_id', 'in', ids);
        const rows = await q.execute();
        const out: Record<string, { passed: boolean | null; reasons: string[]; profile: string | null }> = {};
        for (const r of rows) {
          const g = (out[r.name] ??= { passed: true, reasons: [], profile: r.gate_profile });
          if (r.gate_passed === null) g.passed = g.passed === false ? false : null;
          else if (r.gate_passed === 0) {
            g.passed = false;
            g.reasons.push(`${r.target}: ${r.gate_reason ?? ''}`);
          }
        }
        return { projects: out };
      },
    );
  };
}
