import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API_KEY_PREFIX, newSecret, userOf } from '../auth.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { RouteContext } from './context.js';
import { NAME_PATTERN, adminSecurity, audit, errorBody, idParam, nameParams, paramsOf } from './context.js';

const ok204 = { 204: { type: 'null' }, 404: errorBody } as const;
const tags = ['admin'];

/** Admin: teams and members, users and their API keys and sessions, the ingestion queue, the audit log. */
export function adminRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const { store } = ctx;
    const { identity } = store;
    // Every route in this plugin needs an admin.
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: 'admin' };
    });

    const teamOf = async (req: FastifyRequest) => {
      const { name } = paramsOf<{ name: string }>(req);
      const team = await identity.teamByName(name);
      if (!team) throw new NotFoundError(`team ${name}`);
      return team;
    };
    const userNamed = async (name: string) => {
      const u = await identity.userByName(name);
      if (!u) throw new NotFoundError(`user ${name}`);
      return u;
    };

    // ---- teams -------------------------------------------------------------------------------------

    app.post(
      '/api/v1/teams',
      { schema: { summary: 'Create a team', tags, security: adminSecurity, body: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: NAME_PATTERN } } }, response: { 201: { type: 'object', properties: { name: { type: 'string' } } }, 409: errorBody } } },
      async (req, reply) => {
        const { name } = req.body as { name: string };
        if (await identity.teamByName(name)) throw new ConflictError(`team ${name} exists`);
        await identity.createTeam(name);
        await audit(ctx, userOf(req), 'team.create', name);
        return reply.code(201).send({ name });
      },
    );

    app.get(
      '/api/v1/teams',
      { schema: { summary: 'Teams', tags, security: adminSecurity, response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, members: { type: 'integer' }, projects: { type: 'integer' } } } } } } } } },
      async () => ({ items: await identity.listTeams() }),
    );

    app.post(
      '/api/v1/teams/:name/members',
      { schema: { summary: 'Add a user to a team', tags, security: adminSecurity, params: nameParams, body: { type: 'object', required: ['user'], properties: { user: { type: 'string', pattern: NAME_PATTERN } } }, response: ok204 } },
      async (req, reply) => {
        const team = await teamOf(req);
        const u = await userNamed((req.body as { user: string }).user);
        await identity.addTeamMember(team.id, u.id);
        await audit(ctx, userOf(req), 'team.member.add', team.name, { user: u.name });
        return reply.code(204).send();
      },
    );

    app.delete(
      '/api/v1/teams/:name/members/:user',
      { schema: { summary: 'Remove a user from a team', tags, security: adminSecurity, params: { type: 'object', required: ['name', 'user'], properties: { name: { type: 'string', pattern: NAME_PATTERN }, user: { type: 'string', pattern: NAME_PATTERN } } }, response: ok204 } },
      async (req, reply) => {
        const team = await teamOf(req);
        const u = await userNamed(paramsOf<{ user: string }>(req).user);
        if (!(await identity.removeTeamMember(team.id, u.id))) throw new NotFoundError(`member ${u.name} of team ${team.name}`);
        await audit(ctx, userOf(req), 'team.member.remove', team.name, { user: u.name });
        return reply.code(204).send();
      },
    );

    // ---- users, keys, sessions -------------------------------------------------------------------

    app.post(
      '/api/v1/users',
      {
        schema: {
          summary: 'Create a user with an API key; the key is shown once',
          tags,
          security: adminSecurity,
          body: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: NAME_PATTERN }, role: { enum: ['admin', 'member'], default: 'member' }, teams: { type: 'array', maxItems: 100, items: { type: 'string' }, default: [] } } },
          response: { 201: { type: 'object', properties: { name: { type: 'string' }, role: { type: 'string' }, teams: { type: 'array', items: { type: 'string' } }, apiKey: { type: 'string' } } }, 409: errorBody },
        },
      },
      async (req, reply) => {
        const b = req.body as { name: string; role: 'admin' | 'member'; teams: string[] };
        const teamRows = [];
        for (const t of b.teams) {
          const row = await identity.teamByName(t);
          if (!row) throw new NotFoundError(`team ${t}`);
          teamRows.push(row);
        }
        if (await identity.userByName(b.name)) throw new ConflictError(`user ${b.name} exists`);
        const key = newSecret(API_KEY_PREFIX);
        const id = await identity.createUser(b.name, b.role, key.hash);
        for (const t of teamRows) await identity.addTeamMember(t.id, id);
        await audit(ctx, userOf(req), 'user.create', b.name, { role: b.role, teams: b.teams });
        return reply.code(201).send({ name: b.name, role: b.role, teams: b.teams, apiKey: key.secret });
      },
    );

    app.get(
      '/api/v1/users',
      { schema: { summary: 'Users', tags, security: adminSecurity, response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string' }, teams: { type: 'array', items: { type: 'string' } } } } } } } } } },
      async () => ({ items: await identity.listUsers() }),
    );

    app.delete(
      '/api/v1/users/:name',
      { schema: { summary: 'Remove a user: their API keys, sessions and memberships go with them', tags, security: adminSecurity, params: nameParams, response: { ...ok204, 409: errorBody } } },
      async (req, reply) => {
        const me = userOf(req);
        const u = await userNamed(paramsOf<{ name: string }>(req).name);
        if (u.id === me.userId) throw new ConflictError('an admin cannot remove themselves; another admin can');
        if (u.role === 'admin' && (await identity.countAdmins()) <= 1) throw new ConflictError('the last admin cannot be removed');
        await identity.deleteUser(u.id);
        await audit(ctx, me, 'user.remove', u.name, { role: u.role });
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/users/:name/keys',
      { schema: { summary: "A user's API keys (never the secrets)", tags, security: adminSecurity, params: nameParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, createdAt: { type: 'string' }, revokedAt: { type: ['string', 'null'] } } } } } }, 404: errorBody } } },
      async (req) => {
        const u = await userNamed(paramsOf<{ name: string }>(req).name);
        return { items: (await identity.listApiKeys(u.id)).map((k) => ({ id: k.id, createdAt: k.created_at, revokedAt: k.revoked_at })) };
      },
    );

    app.post(
      '/api/v1/users/:name/keys',
      { schema: { summary: 'A new API key for a user (rotation); shown once', tags, security: adminSecurity, params: nameParams, response: { 201: { type: 'object', properties: { id: { type: 'integer' }, apiKey: { type: 'string' } } }, 404: errorBody } } },
      async (req, reply) => {
        const u = await userNamed(paramsOf<{ name: string }>(req).name);
        const key = newSecret(API_KEY_PREFIX);
        const id = await identity.addApiKey(u.id, key.hash);
        await audit(ctx, userOf(req), 'key.create', u.name, { keyId: id });
        return reply.code(201).send({ id, apiKey: key.secret });
      },
    );

    app.delete(
      '/api/v1/users/:name/keys/:id',
      { schema: { summary: 'Revoke an API key (takes effect on the next request)', tags, security: adminSecurity, params: { type: 'object', required: ['name', 'id'], properties: { name: { type: 'string', pattern: NAME_PATTERN }, id: idParam } }, response: ok204 } },
      async (req, reply) => {
        const u = await userNamed(paramsOf<{ name: string }>(req).name);
        const id = Number(paramsOf<{ id: string }>(req).id);
        if (!(await identity.revokeApiKey(u.id, id))) throw new NotFoundError('key');
        await audit(ctx, userOf(req), 'key.revoke', u.name, { keyId: id });
        return reply.code(204).send();
      },
    );

    app.delete(
      '/api/v1/users/:name/sessions',
      { schema: { summary: "End every dashboard session of a user", tags, security: adminSecurity, params: nameParams, response: { 200: { type: 'object', properties: { ended: { type: 'integer' } } }, 404: errorBody } } },
      async (req) => {
        const u = await userNamed(paramsOf<{ name: string }>(req).name);
        const ended = await identity.endSessionsOf(u.id);
        await audit(ctx, userOf(req), 'session.end', u.name, { ended });
        return { ended };
      },
    );

    // ---- ingestion queue -----------------------------------------------------------------------------

    app.get(
      '/api/v1/admin/queue',
      {
        schema: {
          summary: 'Ingestion queue entries in one state (failed: stored attempts all failed; see error)',
          tags,
          security: adminSecurity,
          querystring: { type: 'object', properties: { state: { enum: ['queued', 'processing', 'done', 'failed'], default: 'failed' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, after: { type: 'integer', minimum: 0 } } },
          response: {
            200: {
              type: 'object',
              properties: {
                counts: { type: 'object', additionalProperties: { type: 'integer' } },
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'integer' },
                      project: { type: 'string' },
                      status: { type: 'string' },
                      attempts: { type: 'integer' },
                      error: { type: ['string', 'null'] },
                      createdAt: { type: 'string' },
                      updatedAt: { type: 'string' },
                      nextAttemptAt: { type: ['string', 'null'] },
                      scanId: { type: ['integer', 'null'] },
                      idempotencyKey: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
          },
        },
      },
      async (req) => {
        const q = req.query as { state: 'queued' | 'processing' | 'done' | 'failed'; limit: number; after?: number };
        const rows = await store.queue.list(q.state, q.limit, q.after);
        return {
          counts: await store.queue.stats(),
          items: rows.map((r) => ({
            id: r.id,
            project: r.project,
            status: r.status,
            attempts: r.attempts,
            error: r.error,
            createdAt: r.created_at,
            updatedAt: r.updated_at,
            nextAttemptAt: r.next_attempt_at,
            scanId: r.scan_id,
            idempotencyKey: r.idempotency_key,
          })),
        };
      },
    );

    app.post(
      '/api/v1/admin/queue/:id/retry',
      { schema: { summary: 'Put a failed entry back in the queue with fresh attempts', tags, security: adminSecurity, params: { type: 'object', required: ['id'], properties: { id: idParam } }, response: { 202: { type: 'object', properties: { id: { type: 'integer' }, status: { type: 'string' } } }, 404: errorBody } } },
      async (req, reply) => {
        const id = Number(paramsOf<{ id: string }>(req).id);
        if (!(await store.queue.retry(id))) throw new NotFoundError(`failed queue entry ${id}`);
        await audit(ctx, userOf(req), 'queue.retry', String(id));
        ctx.worker?.notify();
        return reply.code(202).send({ id, status: 'queued' });
      },
    );

    // ---- audit log -----------------------------------------------------------------------------------

    app.get(
      '/api/v1/admin/audit',
      {
        schema: {
          summary: 'The audit log of admin actions, newest first',
          tags,
          security: adminSecurity,
          querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, before: { type: 'integer', minimum: 1 } } },
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, at: { type: 'string' }, actor: { type: 'string' }, action: { type: 'string' }, target: { type: 'string' }, details: { type: ['object', 'null'], additionalProperties: true } } } } },
            },
          },
        },
      },
      async (req) => {
        const q = req.query as { limit: number; before?: number };
        const rows = await identity.auditLog(q.limit, q.before);
        return { items: rows.map((r) => ({ ...r, details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>) })) };
      },
    );
  };
}
