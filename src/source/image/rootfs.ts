import fs from 'node:fs';
import path from 'node:path';
import { UsageError, describeError } from '../../core/errors.js';
import { NotRegularFileError, readRegularFile, walkHost } from '../host/index.js';
import type { HostWalkOptions, HostWalkProblem } from '../host/index.js';
import { resolveSymlinkTarget } from './paths.js';
import { DEFAULT_MAX_FILE_BYTES } from './types.js';
import type { ImageDescription, ImageSource, LayerWalkResult, OnFileFn, WalkLayerOptions, WantFn } from './types.js';

/** A directory that looks like an unpacked root filesystem (has etc/os-release or var/lib/dpkg). */
export function looksLikeRootfs(dir: string): boolean {
  try {
    if (fs.lstatSync(path.join(dir, 'var/lib/dpkg'), { throwIfNoEntry: false })?.isDirectory()) return true;
    // etc/os-release is usually a symlink (../usr/lib/os-release): lstat, do not follow
    if (fs.lstatSync(path.join(dir, 'etc/os-release'), { throwIfNoEntry: false })) return true;
    if (fs.lstatSync(path.join(dir, 'usr/lib/os-release'), { throwIfNoEntry: false })) return true;
    return false;
  } catch {
    return false;
  }
}

/**
 * An unpacked root filesystem as an image with one pseudo-layer (digest `rootfs:<abs path>`). The walk lists the
 * tree with the host-walk rules (src/source/host: no symlinks followed, pseudo and other filesystems skipped, only
 * regular files read) and reads only wanted files.
 */
export class RootfsImageSource implements ImageSource {
  private readonly root: string;
  /** The host-walk rules (src/source/host): skip globs, filesystems, timeout. */
  private readonly host: HostWalkOptions;
  constructor(dir: string, host: HostWalkOptions = {}) {
    this.root = path.resolve(dir);
    this.host = host;
  }

  describe(): ImageDescription {
    return {
      kind: 'rootfs',
      reference: this.root,
      configDigest: `rootfs:${this.root}`,
      layers: [{ digest: `rootfs:${this.root}`, size: 0, mediaType: 'application/vnd.bulwark.rootfs.directory' }],
    };
  }

  async walkLayer(index: number, want: WantFn, onFile: OnFileFn, opts?: WalkLayerOptions): Promise<LayerWalkResult> {
    if (index !== 0) throw new RangeError(`layer index ${index} out of range (a rootfs has 1 pseudo-layer)`);
    const maxFileBytes = opts?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const result: LayerWalkResult = { whiteouts: [], opaqueDirs: [], refused: [], bytes: 0 };
    const problems: HostWalkProblem[] = [];
    try {
      for await (const e of walkHost(this.root, this.host, problems)) {
        const p = e.path;
        if (e.type === 'symlink') {
          const target = await fs.promises.readlink(e.abs).catch(() => '');
          const r = resolveSymlinkTarget(p, target);
          if (!r.ok) result.refused.push({ path: p, reason: r.reason });
          else if (opts?.onSymlink && want(p)) await opts.onSymlink({ path: p, type: 'symlink', size: 0, mode: 0o777, linkTarget: target });
          continue;
        }
        // bytes walked, as a tar layer counts them: every regular file, wanted or not
        const st = await fs.promises.lstat(e.abs).catch(() => undefined);
        if (st) result.bytes += st.size;
        if (!want(p)) continue;
        let file: { content: Buffer; mode: number };
        try {
          file = await readRegularFile(e.abs, maxFileBytes);
        } catch (err) {
          if (err instanceof NotRegularFileError) result.refused.push({ path: p, reason: err.message });
          else result.refused.push({ path: p, reason: `unreadable file: ${describeError(err)}` });
          continue;
        }
        await onFile({ path: p, type: 'file', size: file.content.length, mode: file.mode }, file.content);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).syscall !== undefined) throw new UsageError(`${this.root}: cannot read the rootfs directory: ${describeError(e)}`);
      throw e;
    }
    for (const p of problems) result.refused.push({ path: p.path, reason: `unreadable directory: ${p.message}` });
    return result;
  }

  async close(): Promise<void> {}
}
