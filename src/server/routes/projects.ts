import type { FastifyInstance, FastifyRequest } from 'fastify';
import { INGEST_TOKEN_PREFIX, newSecret, scopeOf, userOf } from '../auth.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { decodeCursor } from '../store/queries.js';
import type { ProjectRow } from '../store/projects.js';
import type { RouteContext } from './context.js';
import { NAME_PATTERN, adminSecurity, audit, errorBody, idParam, nameParams, pageQuery, paramsOf, userSecurity } from './context.js';

export const scanSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    receivedAt: { type: 'string' },
    reportCreatedAt: { type: 'string' },
    target: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' } } },
    toolVersion: { type: 'string' },
    gate: { type: 'object', properties: { passed: { type: 'boolean' }, failOn: { type: 'string' }, profile: { type: ['string', 'null'] }, reason: { type: 'string' } } },
    packages: { type: 'integer' },
    findings: { type: 'integer' },
    open: { type: 'object', additionalProperties: { type: 'integer' } },
    suppressed: { type: 'integer' },
    fixable: { type: 'integer' },
    worstSeverity: { type: ['string', 'null'] },
  },
} as const;

export const projectSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, team: { type: ['string', 'null'] }, createdAt: { type: 'string' }, latestScan: { anyOf: [scanSchema, { type: 'null' }] } },
} as const;

/** The project named in the path, if this user may see it (members: projects of their teams); 404 otherwise. */
export async function visibleProject(ctx: RouteContext, req: FastifyRequest): Promise<Pick<ProjectRow, 'id' | 'name' | 'team_id' | 'latest_scan_id'>> {
  const u = userOf(req);
  const { name } = paramsOf<{ name: string }>(req);
  const p = await ctx.store.projects.byName(name);
  if (!p || (u.role !== 'admin' && (p.team_id === null || !u.teamIds.includes(p.team_id)))) throw new NotFoundError(`project ${name}`);
  return p;
}

/** Projects (portfolio, one project, creation) and their ingest tokens. */
export function projectRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const { store, read } = ctx;

    app.get(
      '/api/v1/projects',
      {
        schema: {
          summary: 'Projects with their latest scan, worst open severity first',
          tags: ['projects'],
          security: userSecurity,
          querystring: { type: 'object', properties: { ...pageQuery, q: { type: 'string', maxLength: 200, description: 'substring of the name (case-insensitive; % and _ match themselves)' }, gate: { enum: ['passed', 'failed'] } } },
          response: { 200: { type: 'object', properties: { items: { type: 'array', items: projectSchema }, total: { type: 'integer' }, nextCursor: { type: ['string', 'null'] } } } },
        },
      },
      async (req) => {
        const q = req.query as { limit: number; offset: number; cursor?: string; q?: string; gate?: 'passed' | 'failed' };
        const offset = decodeCursor(q.cursor, (v): v is number => Number.isInteger(v)) ?? q.offset;
        return read.projects(scopeOf(userOf(req)), { limit: q.limit, offset, q: q.q || undefined, gate: q.gate });
      },
    );

    app.post(
      '/api/v1/projects',
      {
        config: { auth: 'admin' },
        schema: {
          summary: 'Create a project (admin)',
          tags: ['projects'],
          security: adminSecurity,
          body: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: NAME_PATTERN }, team: { type: ['string', 'null'] } } },
          response: { 201: { type: 'object', properties: { name: { type: 'string' }, team: { type: ['string', 'null'] } } }, 409: errorBody },
        },
      },
      async (req, reply) => {
        const b = req.body as { name: string; team?: string | null };
        let teamId: number | null = null;
        if (b.team !== undefined && b.team !== null) {
          const team = await store.identity.teamByName(b.team);
          if (!team) throw new NotFoundError('team');
          teamId = team.id;
        }
        if (await store.projects.byName(b.name)) throw new ConflictError(`project ${b.name} exists`);
        await store.projects.create(b.name, teamId);
        await audit(ctx, userOf(req), 'project.create', b.name, { team: b.team ?? null });
        return reply.code(201).send({ name: b.name, team: b.team ?? null });
      },
    );

    app.get(
      '/api/v1/projects/:name',
      { schema: { summary: 'One project', tags: ['projects'], security: userSecurity, params: nameParams, response: { 200: projectSchema, 404: errorBody } } },
      async (req) => read.project((await visibleProject(ctx, req)).id),
    );

    const adminProject = async (req: FastifyRequest) => {
      const { name } = paramsOf<{ name: string }>(req);
      const p = await store.projects.byName(name);
      if (!p) throw new NotFoundError(`project ${name}`);
      return p;
    };

    app.post(
      '/api/v1/projects/:name/tokens',
      {
        config: { auth: 'admin' },
        schema: {
          summary: 'Create a write-only ingest token (admin); the token is shown once',
          tags: ['projects'],
          security: adminSecurity,
          params: nameParams,
          response: { 201: { type: 'object', properties: { id: { type: 'integer' }, token: { type: 'string' } } } },
        },
      },
      async (req, reply) => {
        const p = await adminProject(req);
        const t = newSecret(INGEST_TOKEN_PREFIX);
        const id = await store.projects.createIngestToken(p.id, t.hash);
        await audit(ctx, userOf(req), 'token.create', p.name, { tokenId: id });
        return reply.code(201).send({ id, token: t.secret });
      },
    );

    app.get(
      '/api/v1/projects/:name/tokens',
      {
        config: { auth: 'admin' },
        schema: {
          summary: 'List the project ingest tokens (admin; never the secrets)',
          tags: ['projects'],
          security: adminSecurity,
          params: nameParams,
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, createdAt: { type: 'string' }, revokedAt: { type: ['string', 'null'] }, lastUsedAt: { type: ['string', 'null'] } } } } },
            },
          },
        },
      },
      async (req) => {
        const p = await adminProject(req);
        return { items: (await store.projects.listIngestTokens(p.id)).map((t) => ({ id: t.id, createdAt: t.created_at, revokedAt: t.revoked_at, lastUsedAt: t.last_used_at })) };
      },
    );

    app.delete(
      '/api/v1/projects/:name/tokens/:id',
      {
        config: { auth: 'admin' },
        schema: {
          summary: 'Revoke an ingest token (admin)',
          tags: ['projects'],
          security: adminSecurity,
          params: { type: 'object', required: ['name', 'id'], properties: { ...nameParams.properties, id: idParam } },
          response: { 204: { type: 'null' }, 404: errorBody },
        },
      },
      async (req, reply) => {
        const p = await adminProject(req);
        const id = Number(paramsOf<{ id: string }>(req).id);
        if (!(await store.projects.revokeIngestToken(p.id, id))) throw new NotFoundError('token');
        await audit(ctx, userOf(req), 'token.revoke', p.name, { tokenId: id });
        return reply.code(204).send();
      },
    );
  };
}
