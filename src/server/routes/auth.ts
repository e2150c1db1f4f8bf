import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { API_KEY_PREFIX, SESSION_COOKIE, hashSecret, parseCookies, userOf } from '../auth.js';
import { UnauthenticatedError } from '../errors.js';
import type { RouteContext } from './context.js';
import { errorBody, userSecurity } from './context.js';

const me = { type: 'object', required: ['name', 'role'], properties: { name: { type: 'string' }, role: { enum: ['admin', 'member'] }, via: { enum: ['api-key', 'session'] } } } as const;

/** Dashboard login and logout, and who the caller is. */
export function authRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post(
      '/api/v1/login',
      {
        config: { auth: 'public' },
        schema: {
          summary: 'Dashboard login with an API key; sets the bulwark_session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS)',
          tags: ['auth'],
          security: [],
          body: { type: 'object', required: ['apiKey'], properties: { apiKey: { type: 'string', maxLength: 200 } } },
          response: { 200: { type: 'object', properties: { user: me } }, 401: errorBody },
        },
      },
      async (req, reply) => {
        const { apiKey } = req.body as { apiKey: string };
        if (!apiKey.startsWith(API_KEY_PREFIX)) throw new UnauthenticatedError('send {"apiKey": "bwk_…"}');
        const u = await ctx.store.identity.userByKeyHash(hashSecret(apiKey));
        if (!u) throw new UnauthenticatedError('unknown or revoked API key');
        const session = crypto.randomBytes(32).toString('base64url');
        await ctx.store.identity.createSession(hashSecret(session), u.id, ctx.sessionTtlMs);
        // req.protocol honours X-Forwarded-Proto only with --trust-proxy.
        const secure = req.protocol === 'https' ? '; Secure' : '';
        reply.header('set-cookie', `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(ctx.sessionTtlMs / 1000)}${secure}`);
        return { user: { name: u.name, role: u.role } };
      },
    );

    app.post(
      '/api/v1/logout',
      { config: { auth: 'user', sessionWrite: true }, schema: { summary: 'Ends the dashboard session', tags: ['auth'], security: userSecurity, response: { 204: { type: 'null' } } } },
      async (req, reply) => {
        const session = parseCookies(req.headers.cookie)[SESSION_COOKIE];
        if (session) await ctx.store.identity.deleteSession(hashSecret(session));
        const secure = req.protocol === 'https' ? '; Secure' : '';
        reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`);
        return reply.code(204).send();
      },
    );

    app.get('/api/v1/me', { config: { auth: 'user' }, schema: { summary: 'The calling user', tags: ['auth'], security: userSecurity, response: { 200: me } } }, async (req) => {
      const u = userOf(req);
      return { name: u.name, role: u.role, via: u.via };
    });
  };
}
