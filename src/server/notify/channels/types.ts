import { z } from 'zod';
import type { Digest } from '../digest.js';
import type { TicketState } from '../tickets.js';

export const CHANNEL_TYPES = ['slack', 'webhook', 'email', 'gitlab', 'jira', 'github'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
const grouping = z.enum(['package', 'advisory']).default('package');

/** Per type: the options stored in clear and the secrets stored sealed. Unknown keys are refused. */
/** A message channel's own rate limit: messages per minute, overriding the notifier's (past it, one summary). */
const rateLimitPerMinute = z.number().int().min(1).max(10_000).optional();

export const OPTION_SCHEMAS = {
  slack: z.strictObject({
    dashboardUrl: httpUrl.optional(),
    rateLimitPerMinute,
    /** Bot token: the Slack channel to post to (an id such as C0123456789, or #name). */
    channel: z.string().regex(/^(#[a-z0-9._-]{1,80}|[CGD][A-Z0-9]{2,})$/, 'a Slack channel id (C0123456789) or #name').optional(),
    /** Bot token: the Web API base (tests and Enterprise Grid proxies). */
    apiUrl: httpUrl.default('https://slack.com/api'),
    /** Bot token: each project's digests in one thread (default true). */
    threads: z.boolean().default(true),
  }),
  webhook: z.strictObject({ url: httpUrl, dashboardUrl: httpUrl.optional(), rateLimitPerMinute }),
  email: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().default(false),
    user: z.string().min(1).optional(),
    from: z.string().email(),
    to: z.array(z.string().email()).min(1).max(100),
    dashboardUrl: httpUrl.optional(),
    rateLimitPerMinute,
  }),
  gitlab: z
    .strictObject({
      url: httpUrl,
      /** The project issues are filed in; required unless `issues` is false. */
      project: z.string().min(1).max(255).optional(),
      grouping,
      labels: z.array(z.string().min(1).max(100)).max(10).default([]),
      /** File issues for the events routed here (default true). */
      issues: z.boolean().default(true),
      /** Answer merge-request scans of this GitLab (`ci.apiUrl` = url/api/v4): one note per MR and a commit status. */
      mergeRequests: z.boolean().default(false),
      dashboardUrl: httpUrl.optional(),
    })
    .refine((o) => !o.issues || o.project !== undefined, { message: 'a project to file issues in (or issues: false)', path: ['project'] })
    .refine((o) => o.issues || o.mergeRequests, { message: 'a gitlab channel files issues, answers merge requests, or both', path: ['issues'] }),
  /** GitHub (api.github.com or an Enterprise server's /api/v3): pull-request comments and commit statuses; it takes no events. */
  github: z.strictObject({ apiUrl: httpUrl.default('https://api.github.com'), dashboardUrl: httpUrl.optional() }),
  jira: z.strictObject({
    url: httpUrl,
    project: z.string().regex(/^[A-Z][A-Z0-9_]{0,49}$/, 'a Jira project key, e.g. SEC'),
    api: z.enum(['3', '2']).default('3'),
    /** Cloud: the account e-mail for basic auth with an API token; absent: the token is a Data Center PAT (Bearer). */
    user: z.string().min(1).optional(),
    issueType: z.string().min(1).default('Bug'),
    grouping,
    dashboardUrl: httpUrl.optional(),
  }),
} as const;

export const SECRET_SCHEMAS = {
  /** An incoming webhook URL, or a bot token (xoxb-…) for the Web API (threads per project). */
  slack: z.strictObject({ url: httpUrl.optional(), token: z.string().regex(/^xox[bp]-[A-Za-z0-9-]+$/, 'a Slack bot token (xoxb-…)').optional() }),
  webhook: z.strictObject({ secret: z.string().min(16, 'the signing secret must have at least 16 characters') }),
  email: z.strictObject({ password: z.string().min(1).optional() }),
  gitlab: z.strictObject({ token: z.string().min(1) }),
  jira: z.strictObject({ token: z.string().min(1) }),
  github: z.strictObject({ token: z.string().min(1) }),
} as const;

export type ChannelOptions<T extends ChannelType> = z.output<(typeof OPTION_SCHEMAS)[T]>;
export type ChannelSecrets<T extends ChannelType> = z.output<(typeof SECRET_SCHEMAS)[T]>;

export type ChannelConfig = { [T in ChannelType]: { name: string; type: T; options: ChannelOptions<T>; secrets: ChannelSecrets<T> } }[ChannelType];

/** Validates a channel's options and secrets; the error lists every problem, never a secret's value. */
export function parseChannelConfig(name: string, type: ChannelType, options: unknown, secrets: unknown): ChannelConfig {
  const o = OPTION_SCHEMAS[type].safeParse(options ?? {});
  const s = SECRET_SCHEMAS[type].safeParse(secrets ?? {});
  const problems = [...(o.success ? [] : o.error.issues.map((i) => `options.${i.path.join('.')}: ${i.message}`)), ...(s.success ? [] : s.error.issues.map((i) => `secrets.${i.path.join('.')}: ${i.message}`))];
  if (type === 'slack' && o.success && s.success) {
    const sec = s.data as ChannelSecrets<'slack'>;
    const opt = o.data as ChannelOptions<'slack'>;
    if ((sec.url === undefined) === (sec.token === undefined)) problems.push('secrets: either url (an incoming webhook) or token (a bot token), not both or neither');
    if (sec.token !== undefined && opt.channel === undefined) problems.push('options.channel: a bot token posts to a channel: give its id (C0123456789) or #name');
  }
  if (problems.length) throw new ChannelConfigError(name, problems);
  if (!o.success || !s.success) throw new ChannelConfigError(name, problems);
  return { name, type, options: o.data, secrets: s.data } as ChannelConfig;
}

export class ChannelConfigError extends Error {
  constructor(
    readonly channel: string,
    readonly problems: string[],
  ) {
    super(`channel ${channel}: ${problems.join('; ')}`);
    this.name = 'ChannelConfigError';
  }
}

/** A message channel (Slack, webhook, email) sends one digest per delivery. */
export interface MessageChannel {
  readonly kind: 'message';
  /** Who gets a separate copy of each digest (email: each recipient); [null] for the others. */
  recipients(): (string | null)[];
  send(digest: Digest, recipient: string | null, idempotencyKey: string): Promise<void>;
}

/** A ticket channel (GitLab, Jira) keeps one ticket per (project, package) or per advisory in step with its findings. */
export interface TicketChannel {
  readonly kind: 'ticket';
  readonly grouping: 'package' | 'advisory';
  sync(ticket: TicketState, dashboardUrl: string | null): Promise<void>;
}

export type Channel = MessageChannel | TicketChannel;
