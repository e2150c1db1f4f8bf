import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TarFormatError, TarWalker } from './tar-walk.js';
import type { TarHeader } from './tar-walk.js';
import { OFFLOAD_MIN_BYTES, hashFileRange, hashPoolStats } from './hash-pool.js';

type E = Partial<Header> & { name: string; body?: Buffer | string };

async function pack(entries: E[]): Promise<Buffer> {
  const p = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  for (const { body, ...h } of entries) {
    await new Promise<void>((res, rej) => p.entry({ mode: 0o644, ...h }, body ?? '', (e) => (e ? rej(e) : res())));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

interface Seen {
  name: string;
  type: string;
  size: number;
  linkname: string;
  body?: string;
}

/** What tar-stream (the reference) reads: every entry, with the bodies of regular files. */
async function reference(archive: Buffer): Promise<Seen[]> {
  const out: Seen[] = [];
  const ex = tar.extract({ allowUnknownFormat: true } as Parameters<typeof tar.extract>[0]);
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => void parts.push(c as Buffer));
      stream.on('end', () => {
        const type = h.type === 'file' || h.type === 'contiguous-file' ? 'file' : h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : h.type === 'link' ? 'hardlink' : 'other';
        const s: Seen = { name: h.name, type, size: type === 'dir' ? 0 : (h.size ?? 0), linkname: h.linkname ?? '' };
        if (type === 'file') s.body = Buffer.concat(parts).toString('latin1');
        out.push(s);
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(archive);
  await done;
  return out;
}

/** Our walker fed in the given chunk sizes (cycled), asking for every file's body. */
function walk(archive: Buffer, sizes: number[]): Seen[] {
  const out: Seen[] = [];
  const w = new TarWalker({
    entry(h: TarHeader) {
      out.push({ name: h.name, type: h.type, size: h.size, linkname: h.linkname });
      return h.type === 'file';
    },
    body(_h, data) {
      (out[out.length - 1] as Seen).body = data.toString('latin1');
    },
  });
  let pos = 0;
  for (let k = 0; pos < archive.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length] as number);
    w.push(archive.subarray(pos, pos + n));
    pos += n;
  }
  w.end();
  return out;
}

/**
 * Our walker driven as a seeking reader drives it (walkLayerBlob on a plain tar): windows of the given sizes, the
 * bodies it does not want skipped unread, wanted bodies of `direct` bytes or more read straight into their buffers.
 * Asks for the bodies of files `want` accepts; every entry is listed.
 */
function walkSeeking(archive: Buffer, sizes: number[], want: (name: string) => boolean, direct: number): { seen: Seen[]; read: number } {
  const out: Seen[] = [];
  const w = new TarWalker({
    entry(h: TarHeader) {
      out.push({ name: h.name, type: h.type, size: h.size, linkname: h.linkname });
      return h.type === 'file' && want(h.name);
    },
    body(_h, data) {
      (out[out.length - 1] as Seen).body = data.toString('latin1');
    },
  });
  let pos = 0;
  let read = 0;
  for (let k = 0; pos < archive.length; k++) {
    const skip = Math.min(w.skippable(), archive.length - pos);
    if (skip > 0) {
      w.skip(skip);
      pos += skip;
      continue;
    }
    const c = w.collecting();
    if (c && c.remaining >= direct) {
      const n = Math.min(c.remaining, archive.length - pos);
      archive.copy(c.buffer, c.at, pos, pos + n);
      w.collected(n);
      pos += n;
      read += n;
      continue;
    }
    const n = Math.min(Math.max(1, sizes[k % sizes.length] as number), archive.length - pos);
    w.push(archive.subarray(pos, pos + n));
    pos += n;
    read += n;
  }
  w.end();
  return { seen: out, read };
}

const LONG = `${'deep/'.repeat(40)}name-longer-than-one-hundred-bytes.txt`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-tarwalk-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('TarWalker reads what tar-stream reads', () => {
  const entries: E[] = [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/os-release', body: 'ID=debian\n' },
    { name: 'empty', body: '' },
    { name: 'block', body: Buffer.alloc(512, 0x41) },
    { name: 'odd', body: Buffer.alloc(513, 0x42) },
    { name: 'usr/lib/os-release', type: 'symlink', linkname: '../../etc/os-release' },
    { name: 'hard', type: 'link', linkname: 'etc/os-release' },
    { name: LONG, body: 'long name via PAX' },
    { name: 'link-long', type: 'symlink', linkname: LONG },
    { name: 'fifo', type: 'fifo' },
    { name: 'x'.repeat(99), body: 'name of 99 bytes' },
    { name: 'ünïcödé/fïlé', body: 'utf-8 names' },
  ];

  it('ustar + PAX archives (tar-stream), in chunks of every awkward size', async () => {
    const archive = await pack(entries);
    const want = await reference(archive);
    expect(want.map((e) => e.name)).toContain(LONG);
    for (const sizes of [[archive.length], [1], [511], [512], [513], [7, 1024, 3], [100_000]]) {
      expect(walk(archive, sizes)).toEqual(want);
    }
  });

  it('random chunkings of the same archive (property)', async () => {
    const archive = await pack(entries);
    const want = await reference(archive);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2048 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        expect(walk(archive, sizes)).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('a seeking reader (unwanted bodies skipped unread, wanted ones read in place) sees the same entries (property)', async () => {
    const big = Buffer.alloc(300_000, 0x43);
    const archive = await pack([...entries, { name: 'big-wanted', body: big }, { name: 'big-unwanted', body: big }, { name: 'after', body: 'tail' }]);
    const all = await reference(archive);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.func(fc.boolean()),
        (sizes, direct, pick) => {
          const want = (name: string): boolean => name === 'big-wanted' || (name !== 'big-unwanted' && pick(name));
          const { seen, read } = walkSeeking(archive, sizes, want, direct);
          // every entry is seen; exactly the wanted files carry their bodies
          expect(seen).toEqual(all.map((e) => (e.type === 'file' && !want(e.name) ? { ...e, body: undefined } : e)).map(({ body, ...e }) => (body === undefined ? e : { ...e, body })));
          // the unwanted big body is passed over, not read (windows may read into its first bytes only)
          expect(read).toBeLessThan(archive.length - big.length + 70_000);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('skip and collected refuse what the position does not allow', async () => {
    const archive = await pack([{ name: 'a', body: Buffer.alloc(1000, 1) }]);
    const w = new TarWalker({ entry: () => true, body: () => {} });
    expect(w.skippable()).toBe(0);
    expect(() => w.skip(1)).toThrow(RangeError);
    w.push(archive.subarray(0, 512));
    expect(w.skippable()).toBe(0); // the body is wanted
    expect(w.collecting()).toMatchObject({ at: 0, remaining: 1000 });
    expect(() => w.collected(1001)).toThrow(RangeError);
    w.collected(1000);
    expect(w.skippable()).toBe(24); // its padding
    w.skip(24);
    w.push(archive.subarray(1536));
    w.end();
  });

  it('GNU tar archives (long names and links as L/K records, base-256 fields) when GNU tar is here', async () => {
    const src = path.join(tmp, 'gnu-src');
    fs.mkdirSync(path.join(src, path.dirname(LONG)), { recursive: true });
    fs.writeFileSync(path.join(src, LONG), 'gnu long name');
    fs.symlinkSync(LONG, path.join(src, 'sym'));
    fs.writeFileSync(path.join(src, 'plain'), 'plain');
    let archive: Buffer;
    try {
      archive = execFileSync('tar', ['--format=gnu', '-C', src, '-cf', '-', '.'], { maxBuffer: 1 << 26 });
    } catch {
      return; // no GNU tar here
    }
    const want = await reference(archive);
    expect(want.some((e) => e.name.endsWith(LONG))).toBe(true);
    expect(want.find((e) => e.name.endsWith('sym'))?.linkname).toBe(LONG);
    expect(walk(archive, [archive.length])).toEqual(want);
    expect(walk(archive, [333])).toEqual(want);
  });

  it('refuses a bad checksum, a cut in a header, a body or its padding, and an oversized metadata record', async () => {
    const archive = await pack([{ name: 'a', body: Buffer.alloc(1000, 1) }, { name: 'b', body: 'x' }]);
    const bad = Buffer.from(archive);
    bad[10] = 0x7a; // inside the first name: the checksum no longer matches
    expect(() => walk(bad, [bad.length])).toThrow(TarFormatError);
    expect(() => walk(bad, [bad.length])).toThrow(/bad checksum.*at byte 0 of the tar/);
    expect(() => walk(archive.subarray(0, 300), [300])).toThrow(/unexpected end of data inside a header/);
    expect(() => walk(archive.subarray(0, 512 + 700), [1212])).toThrow(/inside the body of a/);
    expect(() => walk(archive.subarray(0, 512 + 1010), [1522])).toThrow(/inside the padding/);
    // a cut exactly between entries is a valid (shorter) tar: the layer digest is what catches it
    expect(walk(archive.subarray(0, 512 + 1024), [1536]).map((e) => e.name)).toEqual(['a']);
    const pax = Buffer.alloc(512);
    pax.write('PaxHeader/x');
    pax.write('0000644\0', 100);
    pax.write('77777777777\0', 124); // 8 GiB of "PAX record"
    pax[156] = 0x78;
    pax.write('ustar\x0000', 257);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (pax[i] as number);
    pax.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    expect(() => walk(pax, [512])).toThrow(/metadata record of 8589934591 bytes exceeds/);
  });

  it('skips bodies it is not asked for without keeping them', async () => {
    const archive = await pack([{ name: 'big', body: Buffer.alloc(3 << 20, 9) }, { name: 'small', body: 'keep' }]);
    const bodies: string[] = [];
    const w = new TarWalker({ entry: (h) => h.name === 'small', body: (_h, d) => void bodies.push(d.toString()) });
    for (let i = 0; i < archive.length; i += 65536) w.push(archive.subarray(i, i + 65536));
    w.end();
    expect(bodies).toEqual(['keep']);
    expect(w.position).toBe(archive.length);
  });
});

describe('bodies read into the sink’s own buffer', () => {
  it('reads each asked-for body into the buffer given, across chunk boundaries, and refuses one too small', async () => {
    const archive = await pack([{ name: 'a', body: Buffer.alloc(70_000, 1) }, { name: 'b', body: 'second' }, { name: 'c', body: Buffer.alloc(10, 3) }]);
    const scratch = Buffer.alloc(100_000);
    const seen: string[] = [];
    const w = new TarWalker({
      entry: (h) => (h.name === 'c' ? true : scratch),
      body: (h, d) => {
        seen.push(`${h.name}:${d.length}:${d.buffer === scratch.buffer}:${d.toString('latin1', 0, 6)}`);
      },
    });
    for (let i = 0; i < archive.length; i += 4096) w.push(archive.subarray(i, i + 4096));
    w.end();
    expect(seen).toEqual([`a:70000:true:${'\x01'.repeat(6)}`, 'b:6:true:second', `c:10:false:${'\x03'.repeat(6)}`]);
    const tiny = new TarWalker({ entry: () => Buffer.alloc(5), body: () => undefined });
    expect(() => tiny.push(archive)).toThrow(/cannot take a 70000-byte body/);
  });
});

describe('hash pool', () => {
  it('hashes a large file range on a worker thread, and a small one here, as crypto does', async () => {
    const data = crypto.randomBytes(OFFLOAD_MIN_BYTES + 12345);
    const file = path.join(tmp, 'blob');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('prefix'), data, Buffer.from('suffix')]));
    const expected = `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
    const before = hashPoolStats().workerJobs;
    expect(await hashFileRange(file, 6, data.length, 'sha256')).toEqual({ digest: expected, bytes: data.length });
    expect(hashPoolStats().workerJobs).toBe(before + 1);
    const small = data.subarray(0, 1000);
    expect((await hashFileRange(file, 6, 1000, 'sha512')).digest).toBe(`sha512:${crypto.createHash('sha512').update(small).digest('hex')}`);
    // a range running past the end of the file reads what there is
    expect((await hashFileRange(file, 6, data.length + 100, 'sha256')).bytes).toBe(data.length + 6);
  });
});
