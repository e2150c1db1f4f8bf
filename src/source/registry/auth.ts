import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOCKER_HUB } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from, for messages (never the secret). */
  source: 'options' | 'env' | 'docker-config';
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a `WWW-Authenticate` header: `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`. */
export function parseWwwAuthenticate(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const scheme = (m[1] ?? '').toLowerCase();
  const params: Record<string, string> = {};
  const re = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  const rest = m[2] ?? '';
  let p: RegExpExecArray | null;
  while ((p = re.exec(rest)) !== null) {
    if (p[0] === '') break;
    params[(p[1] ?? '').toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme, params };
}

export interface CredentialOptions {
  username?: string | undefined;
  password?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  dockerConfigPath?: string | undefined;
}

function dockerConfigKeys(registry: string): string[] {
  if (registry === DOCKER_HUB) return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'https://index.docker.io/v1', 'registry-1.docker.io'];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/**
 * Credentials for a registry: explicit options, then BULWARK_USERNAME / BULWARK_PASSWORD, then the Docker config
 * (`auths[host].auth`, base64 `user:pass`; DOCKER_CONFIG or ~/.docker/config.json). Credential helpers are not run.
 */
export function resolveCredentials(registry: string, opts: CredentialOptions): Credentials | undefined {
  if (opts.username !== undefined && opts.password !== undefined) return { username: opts.username, password: opts.password, source: 'options' };
  const env = opts.env ?? process.env;
  if (env.BULWARK_USERNAME && env.BULWARK_PASSWORD !== undefined) {
    return { username: env.BULWARK_USERNAME, password: env.BULWARK_PASSWORD, source: 'env' };
  }
  const file = opts.dockerConfigPath ?? path.join(env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker'), 'config.json');
  let doc: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof doc;
  } catch {
    return undefined;
  }
  const auths = doc.auths ?? {};
  for (const key of dockerConfigKeys(registry)) {
    const a = auths[key];
    if (!a) continue;
    if (a.auth) {
      const decoded = Buffer.from(a.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1), source: 'docker-config' };
    }
    if (a.username && a.password !== undefined) return { username: a.username, password: a.password, source: 'docker-config' };
  }
  return undefined;
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
