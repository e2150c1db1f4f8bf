import type { FastifyInstance } from 'fastify';
import { BulwarkError } from '../../core/errors.js';
import { userOf } from '../auth.js';
import { ConflictError, InvalidRequestError, NotFoundError } from '../errors.js';
import { parseRules, registryHost } from '../registry/registry-config.js';
import { checkRule } from '../registry/rules.js';
import type { ProjectRule } from '../registry/rules.js';
import type { SecretBox } from '../secret-box.js';
import { hashSecret } from '../registry/secrets.js';
import type { RegistryRow } from '../store/registries.js';
import type { RouteContext } from './context.js';
import { NAME_PATTERN, adminSecurity, audit, errorBody, idParam, nameParams, paramsOf } from './context.js';

/** What the registry routes need beyond the route context: the key that seals credentials, and the job worker to wake. */
export interface RegistryDeps {
  box: SecretBox | undefined;
  wakeJobs: () => void;
}

const ruleSchema = {
  type: 'object',
  required: ['glob', 'project'],
  additionalProperties: false,
  properties: { glob: { type: 'string', minLength: 1, maxLength: 256 }, project: { type: 'string', pattern: NAME_PATTERN } },
} as const;

export const registrySchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    url: { type: 'string' },
    insecure: { type: 'boolean' },
    hasCredentials: { type: 'boolean' },
    projectRules: { type: 'array', items: ruleSchema },
    watchIntervalSeconds: { type: ['integer', 'null'] },
    lastWatchAt: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
  },
} as const;

const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    image: { type: 'string' },
    digest: { type: 'string' },
    status: { type: 'string' },
    attempts: { type: 'integer' },
    source: { type: 'string' },
    error: { type: ['string', 'null'] },
    ingestId: { type: ['integer', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

function view(r: RegistryRow) {
  return {
    name: r.name,
    url: r.url,
    insecure: r.insecure === 1,
    hasCredentials: r.credentials !== null,
    projectRules: parseRules(r.project_rules),
    watchIntervalSeconds: r.watch_interval_s,
    lastWatchAt: r.last_watch_at,
    createdAt: r.created_at,
  };
}

interface CreateBody {
  name: string;
  url: string;
  insecure?: boolean;
  username?: string;
  password?: string;
  webhookSecret: string;
  projectRules: ProjectRule[];
  watchIntervalSeconds?: number;
}

/** Registries the server scans (admin), and the image scan jobs. */
export function registryRoutes(ctx: RouteContext, deps: RegistryDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const { store } = ctx;

    app.post(
      '/api/v1/registries',
      {
        config: { auth: 'admin' },
        schema: {
          summary: 'Add a registry (admin): credentials are stored encrypted, the webhook secret hashed',
          tags: ['registries'],
          security: adminSecurity,
          body: {
            type: 'object',
            required: ['name', 'url', 'webhookSecret', 'projectRules'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', pattern: NAME_PATTERN },
              url: { type: 'string', minLength: 1, maxLength: 300 },
              insecure: { type: 'boolean', default: false },
              username: { type: 'string', minLength: 1, maxLength: 256 },
              password: { type: 'string', maxLength: 4096 },
              webhookSecret: { type: 'string', minLength: 16, maxLength: 512 },
              projectRules: { type: 'array', minItems: 1, maxItems: 200, items: ruleSchema },
              watchIntervalSeconds: { type: 'integer', minimum: 60, maximum: 604800 },
            },
          },
          response: { 201: registrySchema, 400: errorBody, 409: errorBody },
        },
      },
      async (req, reply) => {
        const b = req.body as CreateBody;
        if ((b.username === undefined) !== (b.password === undefined)) throw new InvalidRequestError('username and password go together');
        let host: string;
        try {
          host = registryHost(b.url, b.insecure === true);
          for (const r of b.projectRules) checkRule(r);
        } catch (e) {
          throw new InvalidRequestError(e instanceof BulwarkError ? e.message : String(e));
        }
        if (b.username !== undefined && !deps.box) throw new InvalidRequestError('the server has no BULWARK_SECRET_KEY: it cannot store registry credentials');
        if (await store.registries.byName(b.name)) throw new ConflictError(`registry ${b.name} exists`);
        const credentials = b.username !== undefined && deps.box ? deps.box.seal(JSON.stringify({ username: b.username, password: b.password ?? '' }), `registry:${b.name}`) : null;
        const row = await store.registries.create({
          name: b.name,
          url: host,
          insecure: b.insecure === true,
          credentials,
          webhookSecretHash: hashSecret(b.webhookSecret),
          projectRules: JSON.stringify(b.projectRules.map((r) => ({ glob: r.glob, project: r.project }))),
          watchIntervalS: b.watchIntervalSeconds ?? null,
        });
        await audit(ctx, userOf(req), 'registry.create', b.name, { url: host, credentials: credentials !== null });
        return reply.code(201).send(view(row));
      },
    );

    app.get(
      '/api/v1/registries',
      { config: { auth: 'admin' }, schema: { summary: 'Registries (admin)', tags: ['registries'], security: adminSecurity, response: { 200: { type: 'object', properties: { items: { type: 'array', items: registrySchema } } } } } },
      async () => ({ items: (await store.registries.list()).map(view) }),
    );

    app.get(
      '/api/v1/registries/:name',
      { config: { auth: 'admin' }, schema: { summary: 'One registry (admin)', tags: ['registries'], security: adminSecurity, params: nameParams, response: { 200: registrySchema, 404: errorBody } } },
      async (req) => {
        const { name } = paramsOf<{ name: string }>(req);
        const r = await store.registries.byName(name);
        if (!r) throw new NotFoundError(`registry ${name}`);
        return view(r);
      },
    );

    app.delete(
      '/api/v1/registries/:name',
      { config: { auth: 'admin' }, schema: { summary: 'Remove a registry and its jobs (admin)', tags: ['registries'], security: adminSecurity, params: nameParams, response: { 204: { type: 'null' }, 404: errorBody } } },
      async (req, reply) => {
        const { name } = paramsOf<{ name: string }>(req);
        if (!(await store.registries.remove(name))) throw new NotFoundError(`registry ${name}`);
        await audit(ctx, userOf(req), 'registry.delete', name);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/scan-jobs',
      {
        config: { auth: 'admin' },
        schema: {
          summary: 'Image scan jobs, oldest first, and counts by state (admin)',
          tags: ['registries'],
          security: adminSecurity,
          querystring: { type: 'object', properties: { status: { enum: ['queued', 'processing', 'done', 'dead'] }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
          response: { 200: { type: 'object', properties: { items: { type: 'array', items: jobSchema }, counts: { type: 'object', additionalProperties: { type: 'integer' } } } } },
        },
      },
      async (req) => {
        const q = req.query as { status?: 'queued' | 'processing' | 'done' | 'dead'; limit: number };
        const rows = await store.scanJobs.list(q.limit, q.status);
        return {
          items: rows.map((j) => ({ id: j.id, image: j.image, digest: j.digest, status: j.status, attempts: j.attempts, source: j.source, error: j.error, ingestId: j.ingest_id, createdAt: j.created_at, updatedAt: j.updated_at })),
          counts: await store.scanJobs.stats(),
        };
      },
    );

    app.post(
      '/api/v1/scan-jobs/:id/retry',
      {
        config: { auth: 'admin' },
        schema: { summary: 'Requeue a dead scan job (admin)', tags: ['registries'], security: adminSecurity, params: { type: 'object', required: ['id'], properties: { id: idParam } }, response: { 202: { type: 'object', properties: { id: { type: 'integer' } } }, 404: errorBody } },
      },
      async (req, reply) => {
        const id = Number(paramsOf<{ id: string }>(req).id);
        if (!(await store.scanJobs.requeue(id))) throw new NotFoundError(`dead scan job ${id}`);
        await audit(ctx, userOf(req), 'scan-job.retry', String(id));
        deps.wakeJobs();
        return reply.code(202).send({ id });
      },
    );
  };
}
