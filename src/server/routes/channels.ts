import type { FastifyInstance } from 'fastify';
import { userOf } from '../auth.js';
import { ConflictError, HttpError, InvalidRequestError, NotFoundError } from '../errors.js';
import { CHANNEL_TYPES, ChannelConfigError } from '../notify/channels/types.js';
import { FINDING_EVENT_KINDS } from '../events/types.js';
import type { ChannelInput } from '../notify/manage.js';
import { sealChannel, testChannel, viewOfChannel } from '../notify/manage.js';
import { SecretBox, SecretKeyError } from '../secret-box.js';
import type { RouteContext } from './context.js';
import { NAME_PATTERN, adminSecurity, audit, errorBody, idParam, nameParams, paramsOf } from './context.js';

const tags = ['channels'];

const rule = {
  type: 'object',
  additionalProperties: false,
  properties: {
    events: { type: 'array', minItems: 1, items: { enum: [...FINDING_EVENT_KINDS] } },
    minSeverity: { enum: ['critical', 'high', 'medium', 'low', 'unknown', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] },
    projects: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', pattern: NAME_PATTERN } },
    teams: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', pattern: NAME_PATTERN } },
  },
} as const;

const channelView = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    options: { type: 'object', additionalProperties: true },
    secretsSet: { type: 'array', items: { type: 'string' }, description: 'which secrets are set; their values are never returned' },
    rules: { type: 'array', items: rule },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const deliveryView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    kind: { type: 'string' },
    project: { type: 'string' },
    recipient: { type: ['string', 'null'] },
    events: { type: 'integer' },
    status: { type: 'string' },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'string' },
    lastError: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

/** The key that seals channel secrets; a server without it cannot store or use them (never plaintext). */
function box(): SecretBox {
  try {
    return SecretBox.fromEnv();
  } catch (e) {
    if (e instanceof SecretKeyError) throw new HttpError(503, 'internal', `${e.message}; ${e.hint ?? ''}`.trim());
    throw e;
  }
}

/** Admin: notification channels (/api/v1/channels) and their deliveries, with the dead-letter list. */
export function channelRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const { notify } = ctx.store;
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: 'admin' };
    });

    const channelNamed = async (name: string) => {
      const row = await notify.channelByName(name);
      if (!row) throw new NotFoundError(`channel ${name}`);
      return row;
    };

    app.get('/api/v1/channels', { schema: { summary: 'Notification channels (never their secrets)', tags, security: adminSecurity, response: { 200: { type: 'object', properties: { items: { type: 'array', items: channelView } } } } } }, async () => {
      const b = box();
      return { items: (await notify.channels()).map((r) => viewOfChannel(r, b)) };
    });

    app.post(
      '/api/v1/channels',
      {
        schema: {
          summary: 'Add a notification channel; secrets are stored encrypted and never returned',
          tags,
          security: adminSecurity,
          body: {
            type: 'object',
            required: ['name', 'type'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', pattern: NAME_PATTERN },
              type: { enum: [...CHANNEL_TYPES] },
              options: { type: 'object', default: {}, description: 'per type: docs/notifications/<type>.md' },
              secrets: { type: 'object', default: {}, additionalProperties: { type: 'string', maxLength: 4096 } },
              rules: { type: 'array', maxItems: 100, default: [], items: rule },
            },
          },
          response: { 201: channelView, 400: errorBody, 409: errorBody },
        },
      },
      async (req, reply) => {
        const input = req.body as ChannelInput;
        const b = box();
        if (await notify.channelByName(input.name)) throw new ConflictError(`channel ${input.name} exists`);
        let sealed;
        try {
          sealed = sealChannel(input, b);
        } catch (e) {
          if (e instanceof ChannelConfigError) throw new InvalidRequestError(`invalid ${input.type} channel ${input.name}`, e.problems);
          throw e;
        }
        await notify.createChannel({ name: input.name, type: input.type, ...sealed });
        await audit(ctx, userOf(req), 'channel.create', input.name, { type: input.type });
        return reply.code(201).send(viewOfChannel(await channelNamed(input.name), b));
      },
    );

    app.get('/api/v1/channels/:name', { schema: { summary: 'A notification channel', tags, security: adminSecurity, params: nameParams, response: { 200: channelView, 404: errorBody } } }, async (req) =>
      viewOfChannel(await channelNamed(paramsOf<{ name: string }>(req).name), box()),
    );

    app.delete('/api/v1/channels/:name', { schema: { summary: 'Remove a channel with its deliveries', tags, security: adminSecurity, params: nameParams, response: { 204: { type: 'null' }, 404: errorBody } } }, async (req, reply) => {
      const { name } = paramsOf<{ name: string }>(req);
      if (!(await notify.deleteChannel(name))) throw new NotFoundError(`channel ${name}`);
      await audit(ctx, userOf(req), 'channel.remove', name);
      return reply.code(204).send();
    });

    app.post(
      '/api/v1/channels/:name/test',
      { schema: { summary: 'Send a sample through the channel now (GitLab/Jira: a search that proves URL and token)', tags, security: adminSecurity, params: nameParams, response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, message: { type: 'string' } } }, 404: errorBody } } },
      async (req) => {
        const row = await channelNamed(paramsOf<{ name: string }>(req).name);
        try {
          return { ok: true, message: await testChannel(row, box()) };
        } catch (e) {
          if (e instanceof HttpError) throw e;
          return { ok: false, message: e instanceof Error ? e.message : String(e) };
        }
      },
    );

    app.get(
      '/api/v1/deliveries',
      {
        schema: {
          summary: 'Notification deliveries, newest first (status=dead: the dead-letter list)',
          tags,
          security: adminSecurity,
          querystring: { type: 'object', properties: { status: { enum: ['pending', 'done', 'dead'] }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } },
          response: { 200: { type: 'object', properties: { items: { type: 'array', items: deliveryView }, counts: { type: 'object', additionalProperties: { type: 'integer' } } } } },
        },
      },
      async (req) => {
        const q = req.query as { status?: 'pending' | 'done' | 'dead'; limit: number };
        const rows = await notify.deliveries(q);
        return {
          items: rows.map((d) => ({ id: d.id, channel: d.channel, kind: d.kind, project: d.project_name, recipient: d.recipient, events: d.events, status: d.status, attempts: d.attempts, nextAttemptAt: d.next_attempt_at, lastError: d.last_error, createdAt: d.created_at, updatedAt: d.updated_at })),
          counts: await notify.counts(),
        };
      },
    );

    app.post(
      '/api/v1/deliveries/:id/retry',
      // The dashboard's Retry button: an admin's session may call it (the cookie is SameSite=Strict).
      { config: { sessionWrite: true }, schema: { summary: 'Send a dead-lettered delivery again, with fresh attempts', tags, security: [...adminSecurity, { session: [] }], params: { type: 'object', required: ['id'], properties: { id: idParam } }, response: { 202: { type: 'object', properties: { id: { type: 'integer' }, status: { type: 'string' } } }, 404: errorBody } } },
      async (req, reply) => {
        const id = Number(paramsOf<{ id: string }>(req).id);
        if (!(await notify.retry(id))) throw new NotFoundError(`dead delivery ${id}`);
        await audit(ctx, userOf(req), 'delivery.retry', String(id));
        return reply.code(202).send({ id, status: 'pending' });
      },
    );
  };
}
