import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../routes/context.js';
import { adminSecurity } from '../routes/context.js';

/** What runs in Kubernetes, with the findings of each container's image digest (admin). */
export function k8sRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/api/v1/k8s/workloads',
      {
        config: { auth: 'admin' },
        schema: {
          summary: 'Kubernetes containers (namespace/workload/container), the digest each runs and its scan',
          tags: ['registries'],
          security: adminSecurity,
          querystring: { type: 'object', properties: { namespace: { type: 'string', maxLength: 253 } } },
        },
      },
      async (req) => {
        const q = req.query as { namespace?: string };
        return { items: await ctx.store.k8sWorkloads.list(q.namespace ? { namespace: q.namespace } : {}) };
      },
    );
  };
}
