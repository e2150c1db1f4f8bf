import fs from 'node:fs';
import path from 'node:path';
import { UsageError, describeError } from '../../core/errors.js';
import { ImageArchiveError } from './errors.js';
import { resolveSymlinkTarget } from './paths.js';
import { DEFAULT_MAX_FILE_BYTES } from './types.js';
import type { ImageDescription, ImageSource, LayerEntry, LayerWalkResult, OnFileFn, WalkLayerOptions, WantFn } from './types.js';

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
 * tree without following symlinks and reads only wanted regular files.
 */
export class RootfsImageSource implements ImageSource {
  private readonly root: string;
  constructor(dir: string) {
    this.root = path.resolve(dir);
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
    const stack: string[] = [''];
    while (stack.length > 0) {
      const rel = stack.pop() as string;
      let dir: fs.Dir;
      try {
        dir = await fs.promises.opendir(path.join(this.root, rel));
      } catch (e) {
        if (rel === '') throw new UsageError(`${this.root}: cannot read the rootfs directory: ${describeError(e)}`);
        result.refused.push({ path: rel, reason: `unreadable directory: ${describeError(e)}` });
        continue;
      }
      for await (const d of dir) {
        const p = rel === '' ? d.name : `${rel}/${d.name}`;
        const abs = path.join(this.root, p);
        if (d.isDirectory()) {
          stack.push(p);
          continue;
        }
        if (d.isSymbolicLink()) {
          const target = await fs.promises.readlink(abs).catch(() => '');
          const r = resolveSymlinkTarget(p, target);
          if (!r.ok) result.refused.push({ path: p, reason: r.reason });
          else if (opts?.onSymlink && want(p)) await opts.onSymlink({ path: p, type: 'symlink', size: 0, mode: 0o777, linkTarget: target });
          continue;
        }
        if (!d.isFile()) continue;
        const st = await fs.promises.lstat(abs).catch(() => undefined);
        if (!st) continue;
        result.bytes += st.size;
        if (!want(p)) continue;
        if (st.size > maxFileBytes) {
          result.refused.push({ path: p, reason: `oversize: ${st.size} bytes > maxFileBytes ${maxFileBytes}` });
          continue;
        }
        let content: Buffer;
        try {
          // O_NOFOLLOW: the entry was a regular file when listed; refuse if it was swapped for a symlink since
          content = await readNoFollow(abs);
        } catch (e) {
          throw new ImageArchiveError(`rootfs ${this.root}: cannot read ${p}: ${describeError(e)}`, { cause: e, subject: p });
        }
        const entry: LayerEntry = { path: p, type: 'file', size: content.length, mode: st.mode & 0o7777 };
        await onFile(entry, content);
      }
    }
    return result;
  }

  async close(): Promise<void> {}
}

async function readNoFollow(abs: string): Promise<Buffer> {
  const fh = await fs.promises.open(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
