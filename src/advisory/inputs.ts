import fs from 'node:fs';
import path from 'node:path';
import { FileError } from '../core/errors.js';
import { sha256, sha256File } from '../util/hash.js';
import type { Validators } from '../util/fetch.js';
import { download } from '../util/fetch.js';
import type { ProgressReporter } from '../util/progress.js';
import type { FeedInput } from './feeds/types.js';

/** Where feeds come from: upstream (each input's own URL), a mirror URL, or a mirror directory. */
export type FeedSource = { kind: 'upstream' } | { kind: 'http'; base: string } | { kind: 'dir'; root: string };

export function parseSource(source: string | undefined): FeedSource {
  if (!source) return { kind: 'upstream' };
  if (/^https?:\/\//i.test(source)) return { kind: 'http', base: source.replace(/\/+$/, '') };
  const root = path.resolve(source.startsWith('file://') ? new URL(source).pathname : source);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new FileError(root, 'the --source mirror is not a directory', { hint: 'give a mirror directory or an http(s) URL laid out like upstream' });
  }
  return { kind: 'dir', root };
}

export function describeSource(s: FeedSource): string {
  return s.kind === 'upstream' ? 'upstream' : s.kind === 'http' ? s.base : s.root;
}

export function inputLocation(s: FeedSource, input: FeedInput): string {
  if (s.kind === 'upstream') return input.upstream;
  if (s.kind === 'http') return `${s.base}/${input.rel.split('/').map(encodeURIComponent).join('/')}`;
  return path.join(s.root, ...input.rel.split('/'));
}

export type InputResult =
  | { status: 'missing'; location: string }
  | { status: 'present'; location: string; path: string; digest: string; validators?: Validators; unchangedUpstream: boolean };

export interface ResolveOptions {
  cacheDir: string;
  previous?: Validators;
  progress?: ProgressReporter;
  attempts?: number;
  backoffMs?: number;
}

/**
 * Makes one feed input available as a local file. A local mirror file is used in place; a download is
 * streamed into the download cache (kept, so that an unchanged remote file answers 304 next time and
 * costs one request).
 */
export async function resolveInput(source: FeedSource, input: FeedInput, opts: ResolveOptions): Promise<InputResult> {
  const location = inputLocation(source, input);
  if (source.kind === 'dir') {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(location);
    } catch {
      return { status: 'missing', location };
    }
    if (!stat.isFile()) return { status: 'missing', location };
    return { status: 'present', location, path: location, digest: await sha256File(location), unchangedUpstream: false };
  }
  const downloads = path.join(opts.cacheDir, 'downloads');
  const cached = path.join(downloads, sha256(location).slice(0, 32));
  const haveCached = fs.existsSync(cached);
  const result = await download(location, {
    tmpDir: downloads,
    validators: haveCached ? opts.previous : undefined,
    progress: opts.progress,
    label: input.rel,
    attempts: opts.attempts,
    backoffMs: opts.backoffMs,
  });
  if (result.status === 'missing') return { status: 'missing', location };
  if (result.status === 'not-modified') {
    return { status: 'present', location, path: cached, digest: await sha256File(cached), validators: opts.previous, unchangedUpstream: true };
  }
  fs.renameSync(result.path, cached);
  const validators: Validators = {};
  if (result.etag) validators.etag = result.etag;
  if (result.lastModified) validators.lastModified = result.lastModified;
  return { status: 'present', location, path: cached, digest: result.digest, validators, unchangedUpstream: false };
}
