import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MountTable, parseMountinfo } from './mountinfo.js';
import { skipRules, splitList } from './skip.js';
import { NotRegularFileError, readRegularFile, walkHost } from './walk.js';
import type { HostWalkOptions, HostWalkProblem, HostWalkSkip } from './walk.js';

// Lines in the format of proc(5), including an escaped space in a mount point.
const MOUNTINFO = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw',
  '24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw',
  '25 24 0:23 / /sys/fs/cgroup/memory rw,nosuid shared:7 master:1 - cgroup cgroup rw,memory',
  '26 22 0:5 / /dev rw,nosuid shared:2 - devtmpfs udev rw,size=4000k',
  '27 22 0:30 / /mnt/my\\040disk rw,relatime - tmpfs tmpfs rw',
  '28 22 0:31 / /var/lib/docker/overlay2/x/merged rw - overlay overlay rw,lowerdir=/a',
  'garbage line',
].join('\n');

describe('mountinfo', () => {
  it('parses mount point, type and source; unescapes octal; skips malformed lines', () => {
    const m = parseMountinfo(MOUNTINFO);
    expect(m).toHaveLength(7);
    expect(m[0]).toEqual({ mountPoint: '/', fsType: 'ext4', source: '/dev/vda' });
    expect(m[3]).toEqual({ mountPoint: '/sys/fs/cgroup/memory', fsType: 'cgroup', source: 'cgroup' });
    expect(m[5]!.mountPoint).toBe('/mnt/my disk');
  });

  it('finds the mount that holds a path (longest mount point)', () => {
    const t = new MountTable(parseMountinfo(MOUNTINFO));
    expect(t.containing('/proc/1/status')?.fsType).toBe('proc');
    expect(t.containing('/usr/lib')?.fsType).toBe('ext4');
    expect(t.containing('/sys/fs/cgroup/memory/x')?.fsType).toBe('cgroup');
    expect(t.at('/mnt/my disk')?.fsType).toBe('tmpfs');
  });

  it('reads this process mounts (Linux)', () => {
    if (!fs.existsSync('/proc/self/mountinfo')) return;
    expect(MountTable.current().containing('/proc/self')?.fsType).toBe('proc');
  });
});

describe('skip rules (--skip-dirs / --skip-files)', () => {
  it('matches globs relative to the root; a leading / or ./ is dropped; a bare name matches at any depth', () => {
    const r = skipRules(['/usr/share/**', './testdata', 'node_modules'], ['**/*.jar', 'a/b.lock']);
    expect(r.dir('usr/share/doc')).toBe(true);
    expect(r.dir('usr/lib')).toBe(false);
    expect(r.dir('testdata')).toBe(true);
    expect(r.dir('src/testdata')).toBe(false);
    expect(r.dir('x/y/node_modules')).toBe(true);
    expect(r.file('lib/x.jar')).toBe(true);
    expect(r.file('x.jar')).toBe(true);
    expect(r.file('a/b.lock')).toBe(true);
    expect(r.file('c/a/b.lock')).toBe(false);
  });

  it('splits comma lists but keeps braces whole; refuses an empty pattern', () => {
    expect(splitList(['a,b', '{c,d}/e', ' f '])).toEqual(['a', 'b', '{c,d}/e', 'f']);
    expect(() => skipRules(['/'])).toThrow(/empty pattern/);
  });
});

describe('walkHost', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-host-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function walk(opts: HostWalkOptions = {}): Promise<{ files: string[]; problems: HostWalkProblem[]; skipped: HostWalkSkip[] }> {
    const problems: HostWalkProblem[] = [];
    const skipped: HostWalkSkip[] = [];
    const files: string[] = [];
    for await (const e of walkHost(dir, { onSkip: (s) => skipped.push(s), ...opts }, problems)) files.push(`${e.type}:${e.path}`);
    return { files, problems, skipped };
  }

  it('yields regular files and symlinks (entries of a folder in name order), never FIFOs or sockets, never follows links', async () => {
    fs.mkdirSync(path.join(dir, 'b/c'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'b/c/package-lock.json'), '{}');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'x');
    fs.symlinkSync('/etc', path.join(dir, 'etc-link'));
    execFileSync('mkfifo', [path.join(dir, 'b/pipe')]);
    const { files, problems } = await walk();
    // a folder's own entries first, then its subfolders
    expect(files).toEqual(['file:a.txt', 'symlink:etc-link', 'file:b/c/package-lock.json']);
    expect(problems).toEqual([]);
  });

  it('reports an unreadable folder with its path and goes on', async () => {
    fs.mkdirSync(path.join(dir, 'locked'));
    fs.mkdirSync(path.join(dir, 'open'));
    fs.writeFileSync(path.join(dir, 'open/go.mod'), 'module x\n');
    // The tests may run as root, for whom permissions do not deny: the listing itself fails here.
    const readdir = async (abs: string): Promise<fs.Dirent[]> => {
      if (abs.endsWith('/locked')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', syscall: 'scandir' });
      return fs.promises.readdir(abs, { withFileTypes: true });
    };
    const { files, problems } = await walk({ readdir });
    expect(files).toEqual(['file:open/go.mod']);
    expect(problems).toEqual([{ path: 'locked', message: 'cannot read folder: permission denied (EACCES)' }]);
  });

  it('does not enter a pseudo filesystem mounted inside the tree, nor another filesystem unless asked', async () => {
    fs.mkdirSync(path.join(dir, 'proc'));
    fs.writeFileSync(path.join(dir, 'proc/kmsg'), 'x');
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'data/Gemfile.lock'), 'x');
    const real = fs.realpathSync(dir);
    const mounts = new MountTable([
      { mountPoint: '/', fsType: 'ext4', source: '/dev/vda' },
      { mountPoint: path.join(real, 'proc'), fsType: 'proc', source: 'proc' },
    ]);
    const r = await walk({ mounts });
    expect(r.files).toEqual(['file:data/Gemfile.lock']);
    expect(r.skipped).toEqual([{ path: 'proc', reason: 'proc filesystem (pseudo)' }]);
    // --all-filesystems still never walks a pseudo filesystem
    expect((await walk({ mounts, allFilesystems: true })).files).toEqual(['file:data/Gemfile.lock']);
  });

  it('stays on one filesystem: /proc below / is another device', async () => {
    if (!fs.existsSync('/proc/self')) return;
    // With no mount table the walk compares device numbers: /proc is not entered from a root that holds it.
    const problems: HostWalkProblem[] = [];
    const skipped: HostWalkSkip[] = [];
    const seen: string[] = [];
    for await (const e of walkHost('/', { mounts: new MountTable([]), skip: skipRules(['**/*'].filter(() => false)), onSkip: (s) => skipped.push(s), readdir: async (abs) => (abs === '/' ? (await fs.promises.readdir(abs, { withFileTypes: true })).filter((d) => d.name === 'proc') : []) }, problems)) seen.push(e.path);
    expect(skipped.map((s) => s.path)).toEqual(['proc']);
    expect(skipped[0]!.reason).toMatch(/another filesystem.*--all-filesystems/);
  });

  it('refuses a root on a pseudo filesystem (scan /proc would block on /proc/kmsg)', async () => {
    if (!fs.existsSync('/proc/self/mountinfo')) return;
    const it = walkHost('/proc', {}, []);
    await expect(it.next()).rejects.toThrow(/\/proc is on a proc filesystem/);
  });

  it('applies --skip-dirs and --skip-files', async () => {
    fs.mkdirSync(path.join(dir, 'vendor/x'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'vendor/x/go.mod'), '');
    fs.writeFileSync(path.join(dir, 'src/a.jar'), '');
    fs.writeFileSync(path.join(dir, 'src/go.mod'), '');
    const { files } = await walk({ skip: skipRules(['vendor'], ['**/*.jar']) });
    expect(files).toEqual(['file:src/go.mod']);
  });

  it('stops when its signal aborts, with the signal reason', async () => {
    fs.writeFileSync(path.join(dir, 'a'), '');
    const c = new AbortController();
    c.abort(new Error('timed out'));
    await expect(walk({ signal: c.signal })).rejects.toThrow('timed out');
  });
});

describe('readRegularFile', () => {
  it('reads a regular file, refuses a FIFO without blocking, a symlink, and an oversize file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-read-'));
    try {
      fs.writeFileSync(path.join(dir, 'f'), 'hello');
      execFileSync('mkfifo', [path.join(dir, 'fifo')]);
      fs.symlinkSync('f', path.join(dir, 'link'));
      expect((await readRegularFile(path.join(dir, 'f'), 100)).content.toString()).toBe('hello');
      await expect(readRegularFile(path.join(dir, 'fifo'), 100)).rejects.toBeInstanceOf(NotRegularFileError);
      await expect(readRegularFile(path.join(dir, 'link'), 100)).rejects.toMatchObject({ code: 'ELOOP' });
      await expect(readRegularFile(path.join(dir, 'f'), 3)).rejects.toThrow(/oversize: 5 bytes/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
