/**
 * SwiftPM `Package.resolved` → records. Pure.
 * v1: `{ object: { pins: [{ package, repositoryURL, state: { branch, revision, version } }] }, version: 1 }`
 * v2/v3: `{ pins: [{ identity, kind, location, state: { branch?, revision, version? } }], version: 2|3 }`.
 */
import { LineFinder } from '../../formats/lines.js';
import { FormatError } from '../../formats/error.js';
import { parseJsonText } from '../../formats/json.js';

export interface SwiftPin {
  identity: string;
  /** Repository URL (v1 repositoryURL, v2 location); empty for registry pins. */
  location: string;
  kind?: string;
  version?: string;
  branch?: string;
  revision?: string;
  line?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function parsePackageResolved(text: string): { format: number; pins: SwiftPin[]; dropped: string[] } {
  const doc = parseJsonText(text);
  if (!isObj(doc)) throw new FormatError('not a JSON object');
  const format = typeof doc['version'] === 'number' ? doc['version'] : 0;
  const rawPins = isObj(doc['object']) ? doc['object']['pins'] : doc['pins'];
  if (rawPins === undefined) return { format, pins: [], dropped: [] };
  if (!Array.isArray(rawPins)) throw new FormatError('"pins" is not an array');
  const lines = new LineFinder(text);
  const pins: SwiftPin[] = [];
  const dropped: string[] = [];
  rawPins.forEach((raw: unknown, i) => {
    if (!isObj(raw)) {
      dropped.push(`pins[${i}]: not an object`);
      return;
    }
    const urlKey = 'repositoryURL' in raw ? 'repositoryURL' : 'location';
    const location = str(raw[urlKey]) ?? '';
    const identity = str(raw['identity']) ?? str(raw['package']) ?? '';
    if (location === '' && identity === '') {
      dropped.push(`pins[${i}]: neither a location nor an identity`);
      return;
    }
    const state = isObj(raw['state']) ? raw['state'] : {};
    const pin: SwiftPin = { identity, location };
    const kind = str(raw['kind']);
    if (kind !== undefined) pin.kind = kind;
    const version = str(state['version']);
    if (version !== undefined) pin.version = version;
    const branch = str(state['branch']);
    if (branch !== undefined) pin.branch = branch;
    const revision = str(state['revision']);
    if (revision !== undefined) pin.revision = revision;
    const needle = location !== '' ? `"${urlKey}"\\s*:\\s*"${escapeRe(location).replace(/\//g, '\\\\?/')}"` : `"identity"\\s*:\\s*"${escapeRe(identity)}"`;
    const line = lines.nextObjectStart(new RegExp(needle));
    if (line !== undefined) pin.line = line;
    pins.push(pin);
  });
  return { format, pins, dropped };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * OSV SwiftURL package name: the repository URL without scheme, credentials, ".git" or trailing
 * slash. "https://github.com/Quick/Nimble.git" → "github.com/Quick/Nimble";
 * "git@github.com:org/repo.git" → "github.com/org/repo".
 */
export function swiftUrlName(url: string): string | undefined {
  let u = url.trim();
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(u);
  if (scp?.[1] !== undefined && scp[2] !== undefined) u = `${scp[1]}/${scp[2]}`;
  else {
    const m = /^[a-z][a-z0-9+.-]*:\/\/(.+)$/i.exec(u);
    if (m?.[1] === undefined) return undefined;
    u = m[1].replace(/^[^@/]*@/, '');
    if (u.startsWith('/')) return undefined; // file:///local/path
  }
  u = u.replace(/\/+$/, '').replace(/\.git$/, '');
  const host = u.split('/')[0] ?? '';
  return host.includes('.') || host === 'localhost' ? u.replace(/^([^/:]+):\d+\//, '$1/') : undefined;
}
