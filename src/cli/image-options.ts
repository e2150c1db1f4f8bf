import type { Command } from 'commander';
import type { TargetOptions } from '../scan/targets.js';

export interface ImageCliOptions {
  platform?: string;
  username?: string;
  password?: string;
  insecure?: boolean;
  layerCache?: boolean;
}

/** Options of `scan` that concern container images. */
export function addImageOptions(cmd: Command): Command {
  return cmd
    .option('--platform <os/arch>', 'image platform to pick from a multi-architecture index (default linux/amd64)')
    .option('--username <user>', 'registry user (else BULWARK_USERNAME, or ~/.docker/config.json)')
    .option('--password <password>', 'registry password or token (else BULWARK_PASSWORD)')
    .option('--insecure', 'talk plain HTTP to the registry')
    .option('--no-layer-cache', 'neither read nor write the per-layer cache, and keep no registry layer blobs (they are still verified against their digest)');
}

export function imageTargetOptions(opts: ImageCliOptions): Partial<TargetOptions> {
  return {
    platform: opts.platform,
    username: opts.username,
    password: opts.password,
    insecure: opts.insecure,
    noLayerCache: opts.layerCache === false,
  };
}
