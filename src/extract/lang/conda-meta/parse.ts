/**
 * One installed conda package: `<env>/conda-meta/<name>-<version>-<build>.json`, written by conda when it links a
 * package into an environment. Pure. Fields read: name, version (both required, as in Trivy's
 * pkg/dependency/parser/conda/meta), build, channel, subdir, license.
 */
import { FormatError } from '../../formats/error.js';
import { parseJsonObject, str } from '../../formats/json.js';

export interface CondaMeta {
  name: string;
  version: string;
  build?: string;
  /** The channel's name (`main`, `conda-forge`), from its URL. */
  channel?: string;
  subdir?: string;
  license?: string;
}

/** `https://repo.anaconda.com/pkgs/main/linux-64` → `main`; `conda-forge` stays `conda-forge`. */
export function channelName(channel: string, subdir: string | undefined): string | undefined {
  let c = channel.replace(/\/+$/, '');
  if (subdir && c.endsWith(`/${subdir}`)) c = c.slice(0, -subdir.length - 1);
  const last = c.slice(c.lastIndexOf('/') + 1);
  return last === '' ? undefined : last;
}

export function parseCondaMeta(text: string): CondaMeta {
  const doc = parseJsonObject(text);
  const name = str(doc, 'name');
  const version = str(doc, 'version');
  if (!name || !version) throw new FormatError('not a conda package record: no "name" or no "version"');
  const out: CondaMeta = { name, version };
  const build = str(doc, 'build');
  const subdir = str(doc, 'subdir');
  const channel = str(doc, 'channel');
  const license = str(doc, 'license');
  if (build) out.build = build;
  if (subdir) out.subdir = subdir;
  const ch = channel ? channelName(channel, subdir) : undefined;
  if (ch) out.channel = ch;
  if (license) out.license = license;
  return out;
}
