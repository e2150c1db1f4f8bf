import type { Command } from 'commander';
import { BulwarkError, UsageError } from '../../core/errors.js';
import { parseProjectRule } from '../../server/registry/rules.js';
import type { CliContext } from '../context.js';
import type { CliCommand } from './index.js';

interface AddOptions {
  url: string;
  username?: string;
  password?: string;
  insecure?: boolean;
  webhookSecret: string;
  projectRule: string[];
  server: string;
  watchInterval?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function apiKey(): string {
  const key = process.env.BULWARK_API_KEY;
  if (!key) throw new UsageError('the admin API key is read from BULWARK_API_KEY, which is not set', 'export BULWARK_API_KEY=bwk_…');
  return key;
}

async function call(server: string, method: string, pathname: string, body?: unknown): Promise<unknown> {
  let url: URL;
  try {
    url = new URL(pathname, server.endsWith('/') ? server : server + '/');
  } catch {
    throw new UsageError(`--server ${server}: not a URL`);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${apiKey()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new BulwarkError('BULWARK_E_IO', `cannot reach the server at ${server}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (json as { error?: { message?: string } } | undefined)?.error?.message ?? text;
    throw new BulwarkError(res.status === 401 || res.status === 403 ? 'BULWARK_E_USAGE' : 'BULWARK_E_IO', `${method} ${url.pathname}: HTTP ${res.status}: ${err}`);
  }
  return json;
}

export const registryCommand: CliCommand = {
  name: 'registry',
  register(program: Command, context: () => CliContext) {
    const cmd = program.command('registry').description('manage the registries a Bulwark server scans (admin key in BULWARK_API_KEY)');
    cmd
      .command('add')
      .description('add a registry: its pushes (webhook) and, with --watch-interval, its catalog are scanned by the server')
      .argument('<name>', 'registry name (used in the webhook URL /api/v1/webhooks/{registry|harbor|gitlab}/NAME)')
      .requiredOption('--url <url>', 'https://host[:port] (http:// needs --insecure)')
      .option('--username <user>', 'pull credentials (stored encrypted with the server\'s BULWARK_SECRET_KEY)')
      .option('--password <password>', 'with --username')
      .option('--insecure', 'plain HTTP to the registry')
      .requiredOption('--webhook-secret <secret>', 'the registry sends it as "Authorization: Bearer <secret>" (at least 16 characters)')
      .option('--project-rule <glob=project>', "repository glob -> project, first match wins (repeatable): 'team-a/**=team-a'", collect, [])
      .option('--watch-interval <seconds>', 'also list the catalog and tags this often (at least 60)')
      .requiredOption('--server <url>', 'the Bulwark server')
      .action(async (name: string, opts: AddOptions) => {
        const ctx = context();
        if (opts.projectRule.length === 0) throw new UsageError('at least one --project-rule GLOB=PROJECT is needed', "e.g. --project-rule '**=images' to put every repository in project images");
        if ((opts.username === undefined) !== (opts.password === undefined)) throw new UsageError('--username and --password go together');
        const rules = opts.projectRule.map(parseProjectRule);
        if (opts.watchInterval !== undefined && !/^\d+$/.test(opts.watchInterval)) throw new UsageError('--watch-interval must be a whole number of seconds');
        const r = (await call(opts.server, 'POST', 'api/v1/registries', {
          name,
          url: opts.url,
          insecure: opts.insecure === true,
          ...(opts.username !== undefined ? { username: opts.username, password: opts.password } : {}),
          webhookSecret: opts.webhookSecret,
          projectRules: rules,
          ...(opts.watchInterval !== undefined ? { watchIntervalSeconds: Number(opts.watchInterval) } : {}),
        })) as { name: string; url: string };
        ctx.log.info(`registry ${r.name} (${r.url}) added; webhook URLs: ${opts.server.replace(/\/$/, '')}/api/v1/webhooks/{registry|harbor|gitlab}/${r.name}`);
        ctx.stdout.write(JSON.stringify(r) + '\n');
        process.exitCode = 0;
      });
    cmd
      .command('list')
      .description('list the registries')
      .requiredOption('--server <url>', 'the Bulwark server')
      .action(async (opts: { server: string }) => {
        const ctx = context();
        ctx.stdout.write(JSON.stringify(await call(opts.server, 'GET', 'api/v1/registries'), null, 2) + '\n');
        process.exitCode = 0;
      });
    cmd
      .command('remove')
      .argument('<name>')
      .description('remove a registry and its scan jobs')
      .requiredOption('--server <url>', 'the Bulwark server')
      .action(async (name: string, opts: { server: string }) => {
        await call(opts.server, 'DELETE', `api/v1/registries/${encodeURIComponent(name)}`);
        process.exitCode = 0;
      });
  },
};
