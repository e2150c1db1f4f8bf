import fs from 'node:fs';
import { UsageError } from '../../core/errors.js';
import type { PullProgress } from '../registry/registry-source.js';
import { parseReference } from '../registry/reference.js';
import { openDockerArchive } from './docker-archive.js';
import { openOciArchive, openOciDir } from './oci-layout.js';
import { RootfsImageSource, looksLikeRootfs } from './rootfs.js';
import type { ImageTarget } from './target.js';
import type { ImageSource } from './types.js';

export { looksLikeRootfs };
export { parseImageTarget } from './target.js';
export type { ImageTarget, ImageTargetKind } from './target.js';

export interface OpenImageOptions {
  /** os/arch[/variant], e.g. linux/amd64 (the default, or the only platform of an index). */
  platform?: string;
  username?: string;
  password?: string;
  /** Talk plain http to the registry. */
  insecure?: boolean;
  /** Blobs cache: <cacheDir>/blobs/sha256/<hex>. */
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  dockerConfigPath?: string;
  /** Registry request attempts for network faults / 5xx / 429 (default 4) and first back-off in ms (default 250). */
  fetchAttempts?: number;
  fetchBackoffMs?: number;
  /** Registry images: how the pull of the layers not in the blobs cache goes (for a progress display). */
  onPull?: (p: PullProgress) => void;
  /**
   * Registry images: keep the layer blobs downloaded in the blobs cache (default true). False: layers are streamed,
   * hashed and verified while walked, and not written to disk (`--no-layer-cache`).
   */
  keepBlobs?: boolean;
}

/** Opens what `parseImageTarget` designated. */
export async function openImage(target: ImageTarget | undefined, opts: OpenImageOptions): Promise<ImageSource> {
  if (!target) throw new UsageError('not an image target', 'use docker-archive:<file>, oci-dir:<dir>[:<tag>], oci-archive:<file>, registry:<ref>, rootfs:<dir> or an image reference');
  const need = (): string => {
    if (!target.path) throw new UsageError(`${target.kind} target without a path`);
    return target.path;
  };
  switch (target.kind) {
    case 'docker-archive':
      return openDockerArchive(need(), target.tag);
    case 'oci-dir':
      return openOciDir(need(), target.tag, { platform: opts.platform });
    case 'oci-archive':
      return openOciArchive(need(), target.tag, { platform: opts.platform });
    case 'rootfs': {
      const dir = need();
      if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`rootfs ${dir}: not a directory`);
      return new RootfsImageSource(dir);
    }
    case 'registry': {
      if (!target.reference) throw new UsageError('registry target without a reference');
      // the registry client (and node:http, node:https) is loaded for registry images only
      const { openRegistryImage } = await import('../registry/registry-source.js');
      return openRegistryImage(parseReference(target.reference), {
        cacheDir: opts.cacheDir,
        platform: opts.platform,
        username: opts.username,
        password: opts.password,
        insecure: opts.insecure,
        env: opts.env,
        dockerConfigPath: opts.dockerConfigPath,
        attempts: opts.fetchAttempts,
        backoffMs: opts.fetchBackoffMs,
        onPull: opts.onPull,
        keepBlobs: opts.keepBlobs,
      });
    }
  }
}
