import fs from 'node:fs';
import path from 'node:path';

/** One line of /proc/self/mountinfo (proc(5)): where a filesystem is mounted and of what type. */
export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

/**
 * Filesystems that hold no installed software: kernel interfaces and runtime state. They are never walked, even
 * with --all-filesystems (reading /proc/kmsg blocks forever; /sys has millions of attribute files).
 * `tmpfs` is not listed: it is a separate filesystem (skipped unless --all-filesystems), and a rootfs unpacked on
 * tmpfs (/tmp on many distributions) is a legitimate target. `overlay` is the root filesystem of a container: walked.
 */
export const PSEUDO_FS_TYPES: ReadonlySet<string> = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'cgroup', 'cgroup2', 'securityfs', 'debugfs', 'tracefs', 'pstore', 'bpf',
  'configfs', 'fusectl', 'mqueue', 'hugetlbfs', 'binfmt_misc', 'autofs', 'rpc_pipefs', 'nsfs', 'efivarfs', 'selinuxfs',
  'fuse.gvfsd-fuse', 'fuse.portal', 'ramfs',
]);

/** Undoes the octal escapes of mountinfo fields (`\040` is a space, `\011` a tab, `\012` a newline, `\134` a backslash). */
function unescapeField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Parses mountinfo text. Fields: id parent major:minor root mount-point options [optional…] - fstype source super-options.
 * Lines that do not have this shape are skipped (the kernel writes none; a test may).
 */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const sep = fields.indexOf('-', 6);
    if (fields.length < 7 || sep < 0 || sep + 1 >= fields.length) continue;
    out.push({ mountPoint: unescapeField(fields[4]!), fsType: fields[sep + 1]!, source: unescapeField(fields[sep + 2] ?? '') });
  }
  return out;
}

/** The mounts of this process, by absolute mount point (the last mount of a point wins, as the kernel stacks them). */
export class MountTable {
  private readonly byPoint = new Map<string, MountEntry>();
  constructor(entries: readonly MountEntry[]) {
    for (const e of entries) this.byPoint.set(path.resolve(e.mountPoint), e);
  }

  /** This process's mounts; an empty table where /proc is not mounted (the walk then relies on device numbers only). */
  static current(file = '/proc/self/mountinfo'): MountTable {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // not Linux, or /proc not mounted
    }
    return new MountTable(parseMountinfo(text));
  }

  /** The mount whose mount point is exactly `abs`, if any. */
  at(abs: string): MountEntry | undefined {
    return this.byPoint.get(abs);
  }

  /** The mount that holds `abs`: the one with the longest mount point that is `abs` or a parent of it. */
  containing(abs: string): MountEntry | undefined {
    for (let p = abs; ; p = path.dirname(p)) {
      const m = this.byPoint.get(p);
      if (m) return m;
      if (p === path.dirname(p)) return undefined;
    }
  }

  /** Number of mount points known (0 when /proc/self/mountinfo could not be read). */
  get size(): number {
    return this.byPoint.size;
  }
}

export function isPseudoFs(fsType: string): boolean {
  return PSEUDO_FS_TYPES.has(fsType);
}
