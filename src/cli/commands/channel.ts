import type { Command } from 'commander';
import { BulwarkError, UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import type { CliCommand } from './index.js';

interface ServerOpts {
  server?: string;
}

interface AddOpts extends ServerOpts {
  type: string;
  url?: string;
  secret?: string;
  dashboardUrl?: string;
  host?: string;
  port?: string;
  secure?: boolean;
  user?: string;
  from?: string;
  to: string[];
  project?: string;
  grouping?: string;
  label: string[];
  api?: string;
  issueType?: string;
  /** gitlab: answer merge requests (notes + commit status); --no-issues: only that. */
  mergeRequests?: boolean;
  slackChannel?: string;
  issues?: boolean;
  events?: string;
  minSeverity?: string;
  projects?: string;
  teams?: string;
}

class ServerAnswerError extends BulwarkError {
  constructor(message: string, hint?: string) {
    super('BULWARK_E_IO', message, { hint });
  }
}

function target(opts: ServerOpts): { server: string; key: string } {
  const server = opts.server ?? process.env.BULWARK_SERVER;
  if (!server) throw new UsageError('--server is required', 'pass --server https://bulwark.example.com (or set BULWARK_SERVER)');
  const key = process.env.BULWARK_API_KEY;
  if (!key) throw new UsageError('BULWARK_API_KEY is not set', 'export BULWARK_API_KEY=<an admin API key>');
  return { server: server.replace(/\/+$/, ''), key };
}

async function api(opts: ServerOpts, method: string, path: string, body?: unknown): Promise<unknown> {
  const { server, key } = target(opts);
  let res: Response;
  try {
    res = await fetch(server + path, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new ServerAnswerError(`cannot reach ${server}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`, 'check --server and that the server runs');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below
  }
  if (!res.ok) {
    const err = (json as { error?: { message?: string; details?: string[] } } | null)?.error;
    throw new ServerAnswerError(`${method} ${path}: HTTP ${res.status}: ${err?.message ?? text.slice(0, 200)}${err?.details?.length ? `\n  ${err.details.join('\n  ')}` : ''}`);
  }
  return json;
}

const list = (v: string | undefined): string[] | undefined => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** The request body of `channel add`: flags to the channel's options and secrets, per type. */
export function channelBody(name: string, o: AddOpts, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const secret = o.secret ?? env.BULWARK_CHANNEL_SECRET;
  const options: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  if (o.dashboardUrl) options.dashboardUrl = o.dashboardUrl;
  const need = (v: string | undefined, flag: string): string => {
    if (!v) throw new UsageError(`--type ${o.type} needs ${flag}`);
    return v;
  };
  switch (o.type) {
    case 'slack':
      if (secret?.startsWith('xox')) {
        // A bot token: the Web API, one thread per project in --slack-channel.
        secrets.token = secret;
        options.channel = need(o.slackChannel, '--slack-channel (the channel id, e.g. C0123456789, or #name) with a bot token');
      } else secrets.url = need(o.url ?? secret, '--url (the incoming webhook URL; it is stored encrypted), or a bot token xoxb-… in BULWARK_CHANNEL_SECRET');
      break;
    case 'webhook':
      options.url = need(o.url, '--url');
      secrets.secret = need(secret, '--secret (or BULWARK_CHANNEL_SECRET): the HMAC signing secret');
      break;
    case 'email':
      options.host = need(o.host, '--host (the SMTP server)');
      if (o.port) options.port = Number(o.port);
      if (o.secure) options.secure = true;
      if (o.user) options.user = o.user;
      options.from = need(o.from, '--from');
      if (o.to.length === 0) throw new UsageError('--type email needs --to (repeat it for each recipient)');
      options.to = o.to;
      if (secret) secrets.password = secret;
      break;
    case 'github':
      if (o.url) options.apiUrl = o.url;
      secrets.token = need(secret, '--secret (or BULWARK_CHANNEL_SECRET): a token that may comment on pull requests and set commit statuses');
      break;
    case 'gitlab':
    case 'jira':
      options.url = need(o.url, '--url (the GitLab or Jira base URL)');
      if (o.type === 'gitlab' && o.mergeRequests) options.mergeRequests = true;
      if (o.type === 'gitlab' && o.issues === false) options.issues = false;
      else options.project = need(o.project, '--project (GitLab project id or path; Jira project key)');
      if (o.grouping) options.grouping = o.grouping;
      secrets.token = need(secret, '--secret (or BULWARK_CHANNEL_SECRET): the access token');
      if (o.type === 'gitlab' && o.label.length) options.labels = o.label;
      if (o.type === 'jira') {
        if (o.user) options.user = o.user;
        if (o.api) options.api = o.api;
        if (o.issueType) options.issueType = o.issueType;
      }
      break;
    default:
      throw new UsageError(`--type must be slack, webhook, email, gitlab, jira or github (got ${o.type})`);
  }
  const rule: Record<string, unknown> = {};
  if (o.events) rule.events = list(o.events);
  if (o.minSeverity) rule.minSeverity = o.minSeverity;
  if (o.projects) rule.projects = list(o.projects);
  if (o.teams) rule.teams = list(o.teams);
  return { name, type: o.type, options, secrets, rules: Object.keys(rule).length ? [rule] : [] };
}

export const channelCommand: CliCommand = {
  name: 'channel',
  register(program: Command, context: () => CliContext) {
    const cmd = program.command('channel').description('manage the server\'s notification channels (admin key in BULWARK_API_KEY)');
    const withServer = (c: Command): Command => c.option('--server <url>', 'server base URL; env BULWARK_SERVER');
    const out = (s: string): void => {
      context().stdout.write(s + '\n');
    };

    withServer(cmd.command('add').argument('<name>', 'channel name'))
      .description('add a channel; secrets are sent once and stored encrypted (prefer BULWARK_CHANNEL_SECRET to --secret)')
      .requiredOption('--type <type>', 'slack | webhook | email | gitlab | jira | github')
      .option('--url <url>', 'slack: the incoming webhook URL; webhook: the receiver; gitlab/jira: the base URL; github: the API URL (default https://api.github.com)')
      .option('--secret <secret>', 'webhook signing secret, gitlab/jira/github token, SMTP password; env BULWARK_CHANNEL_SECRET')
      .option('--dashboard-url <url>', 'the dashboard base URL, for links in messages')
      .option('--host <host>', 'email: SMTP host')
      .option('--port <port>', 'email: SMTP port (default 587)')
      .option('--secure', 'email: TLS from the start (port 465)')
      .option('--user <user>', 'email: SMTP user; jira: the account e-mail (Cloud basic auth)')
      .option('--from <address>', 'email: sender')
      .option('--to <address>', 'email: a recipient (repeat)', collect, [])
      .option('--project <project>', 'gitlab: project id or path; jira: project key')
      .option('--grouping <g>', 'gitlab/jira: one ticket per package (default) or per advisory')
      .option('--label <label>', 'gitlab: an extra label (repeat)', collect, [])
      .option('--api <version>', 'jira: 3 (Cloud, default) or 2 (Data Center)')
      .option('--issue-type <type>', 'jira: issue type (default Bug)')
      .option('--slack-channel <channel>', 'slack with a bot token (xoxb-… as the secret): the channel to post to; digests thread per project')
      .option('--merge-requests', 'gitlab: answer merge-request scans of this GitLab (one note per MR, commit status)')
      .option('--no-issues', 'gitlab: file no issues (with --merge-requests: only answer merge requests)')
      .option('--events <kinds>', 'rule: only these events (new,reopened,fixed,suppressed,severity-changed,fix-available,exception-expiring)')
      .option('--min-severity <sev>', 'rule: from this severity up')
      .option('--projects <names>', 'rule: only these projects (comma-separated)')
      .option('--teams <names>', 'rule: only projects of these teams')
      .action(async (name: string, o: AddOpts) => {
        const r = (await api(o, 'POST', '/api/v1/channels', channelBody(name, o))) as { name: string; type: string; secretsSet: string[] };
        out(`channel ${r.name} (${r.type}) added; secrets stored encrypted: ${r.secretsSet.join(', ') || 'none'}`);
      });

    withServer(cmd.command('list'))
      .description('list channels (never their secrets)')
      .action(async (o: ServerOpts) => {
        const r = (await api(o, 'GET', '/api/v1/channels')) as { items: { name: string; type: string; rules: unknown[]; secretsSet: string[] }[] };
        for (const c of r.items) out(`${c.name}\t${c.type}\t${c.rules.length ? `${c.rules.length} rule(s)` : 'every event'}\tsecrets: ${c.secretsSet.join(',') || 'none'}`);
      });

    withServer(cmd.command('remove').argument('<name>', 'channel name'))
      .description('remove a channel and its deliveries')
      .action(async (name: string, o: ServerOpts) => {
        await api(o, 'DELETE', `/api/v1/channels/${encodeURIComponent(name)}`);
        out(`channel ${name} removed`);
      });

    withServer(cmd.command('test').argument('<name>', 'channel name'))
      .description('send a sample message now (gitlab/jira: search, proving URL and token, filing nothing)')
      .action(async (name: string, o: ServerOpts) => {
        const r = (await api(o, 'POST', `/api/v1/channels/${encodeURIComponent(name)}/test`)) as { ok: boolean; message: string };
        if (!r.ok) throw new ServerAnswerError(`channel ${name}: the test failed: ${r.message}`);
        out(r.message);
      });

    withServer(cmd.command('deliveries'))
      .description('recent deliveries; --dead: the dead-letter list')
      .option('--dead', 'only dead-lettered deliveries')
      .action(async (o: ServerOpts & { dead?: boolean }) => {
        const r = (await api(o, 'GET', `/api/v1/deliveries${o.dead ? '?status=dead' : ''}`)) as { items: { id: number; channel: string; project: string; status: string; attempts: number; lastError: string | null }[] };
        for (const d of r.items) out(`${d.id}\t${d.channel}\t${d.project}\t${d.status}\t${d.attempts} attempt(s)${d.lastError ? `\t${d.lastError}` : ''}`);
      });

    withServer(cmd.command('retry').argument('<id>', 'a dead delivery id'))
      .description('send a dead-lettered delivery again')
      .action(async (id: string, o: ServerOpts) => {
        if (!/^[0-9]+$/.test(id)) throw new UsageError('the delivery id is a number (see `bulwark channel deliveries --dead`)');
        await api(o, 'POST', `/api/v1/deliveries/${id}/retry`);
        out(`delivery ${id} queued again`);
      });
  },
};
