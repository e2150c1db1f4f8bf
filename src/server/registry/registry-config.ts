import { UsageError } from '../../core/errors.js';
import type { RegistryRow } from '../store/registries.js';
import type { ProjectRule } from './rules.js';
import type { SecretBox } from '../secret-box.js';

/** A registry as a job uses it: where, how, with which credentials (opened), and its project rules. */
export interface RegistryAccess {
  id: number;
  name: string;
  /** host[:port] */
  host: string;
  insecure: boolean;
  username?: string;
  password?: string;
  rules: ProjectRule[];
}

/**
 * `--url`: `https://host[:port]`, `http://host[:port]` (plain HTTP: needs --insecure) or `host[:port]`. Returns
 * the host[:port] the image references use.
 */
export function registryHost(url: string, insecure: boolean): string {
  const m = /^(?:(https?):\/\/)?([A-Za-z0-9.-]+(?::[0-9]{1,5})?)\/?$/.exec(url.trim());
  if (!m) throw new UsageError(`registry URL ${JSON.stringify(url)}: expected https://host[:port] (no path)`);
  if (m[1] === 'http' && !insecure) throw new UsageError(`registry URL ${url} is plain HTTP: pass --insecure to allow it`);
  return m[2]!.toLowerCase();
}

export function parseRules(text: string): ProjectRule[] {
  const v = JSON.parse(text) as unknown;
  if (!Array.isArray(v)) throw new Error('project_rules is not a list');
  return v.map((r) => {
    const o = r as Partial<ProjectRule>;
    if (typeof o.glob !== 'string' || typeof o.project !== 'string') throw new Error('a project rule lacks glob or project');
    return { glob: o.glob, project: o.project };
  });
}

export function accessOf(row: RegistryRow, box: SecretBox | undefined): RegistryAccess {
  const a: RegistryAccess = { id: row.id, name: row.name, host: row.url, insecure: row.insecure === 1, rules: parseRules(row.project_rules) };
  if (row.credentials !== null) {
    if (!box) throw new UsageError(`registry ${row.name} has stored credentials: set BULWARK_SECRET_KEY to open them`);
    const c = JSON.parse(box.open(row.credentials, `registry:${row.name}`)) as { username: string; password: string };
    a.username = c.username;
    a.password = c.password;
  }
  return a;
}
