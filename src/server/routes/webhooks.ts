import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidRequestError, UnauthenticatedError } from '../errors.js';
import type { WebhookKind } from '../registry/events.js';
import { WebhookPayloadError, pushesOf } from '../registry/events.js';
import { queueImage } from '../registry/queue-image.js';
import { secretMatches } from '../registry/secrets.js';
import type { RegistryRow } from '../store/registries.js';
import type { RouteContext } from './context.js';
import { errorBody, nameParams, paramsOf } from './context.js';
import type { RegistryDeps } from './registries.js';

const MAX_WEBHOOK_BYTES = 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    webhookRegistry: RegistryRow | undefined;
  }
}

/**
 * Registry push webhooks: distribution notifications, Harbor and GitLab. Each needs the registry's webhook
 * secret as `Authorization: Bearer <secret>` (compared in constant time, checked before the body is read);
 * the same event twice, or a digest already known, queues nothing new.
 */
export function webhookRoutes(ctx: RouteContext, deps: RegistryDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const { store } = ctx;
    app.decorateRequest('webhookRegistry', undefined);
    // distribution sends its envelope as application/vnd.docker.distribution.events.v1+json (v2 in distribution 3).
    app.addContentTypeParser(/^application\/vnd\.docker\.distribution\.events\.v[0-9]+\+json/, { parseAs: 'string', bodyLimit: MAX_WEBHOOK_BYTES }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (e) {
        done(new InvalidRequestError(`the body is not JSON: ${e instanceof Error ? e.message : String(e)}`), undefined);
      }
    });

    const authenticate = async (req: FastifyRequest): Promise<void> => {
      const { name } = paramsOf<{ name: string }>(req);
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      const registry = await store.registries.byName(name);
      // Unknown registry and wrong secret answer alike (and both hash the presented secret).
      const ok = m !== null && secretMatches(m[1]!, registry?.webhook_secret_hash ?? '0'.repeat(64)) && registry !== undefined;
      if (!ok) throw new UnauthenticatedError('send the registry\'s webhook secret as "Authorization: Bearer <secret>"');
      req.webhookRegistry = registry;
    };

    for (const kind of ['registry', 'harbor', 'gitlab'] as const satisfies readonly WebhookKind[]) {
      app.post(
        `/api/v1/webhooks/${kind}/:name`,
        {
          config: { auth: 'webhook' },
          bodyLimit: MAX_WEBHOOK_BYTES,
          onRequest: authenticate,
          schema: {
            summary: `${kind === 'registry' ? 'Distribution (Docker Registry v2) notifications' : kind === 'harbor' ? 'Harbor webhooks' : 'GitLab container registry events'}: queue pushed images for scanning`,
            tags: ['registries'],
            description: 'Authorization: Bearer <the registry webhook secret>',
            params: nameParams,
            response: {
              202: { type: 'object', properties: { queued: { type: 'integer' }, known: { type: 'integer' }, unmatched: { type: 'integer' }, jobs: { type: 'array', items: { type: 'integer' } } } },
              400: errorBody,
              401: errorBody,
            },
          },
        },
        async (req, reply) => {
          const registry = req.webhookRegistry!;
          let pushes;
          try {
            pushes = pushesOf(kind, req.body);
          } catch (e) {
            if (e instanceof WebhookPayloadError) throw new InvalidRequestError(`${kind} webhook: ${e.message}`);
            throw e;
          }
          let queued = 0;
          let known = 0;
          let unmatched = 0;
          const jobs: number[] = [];
          for (const p of pushes) {
            const r = await queueImage(store, registry, p, `webhook:${kind}`);
            if (r.kind === 'no-project') unmatched++;
            else {
              jobs.push(r.jobId);
              if (r.kind === 'queued') queued++;
              else known++;
            }
          }
          if (queued > 0) deps.wakeJobs();
          req.log.info({ registry: registry.name, kind, queued, known, unmatched }, 'registry webhook');
          return reply.code(202).send({ queued, known, unmatched, jobs: [...new Set(jobs)] });
        },
      );
    }
  };
}
