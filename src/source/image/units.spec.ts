import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEntryPath, resolveHardlinkTarget, resolveSymlinkTarget } from './paths.js';
import { selectPlatform } from './oci.js';
import type { Descriptor } from './oci.js';
import { looksLikeRootfs, parseImageTarget } from './open.js';
import { indexTar, readMember, resolveMember } from './tar-index.js';
import { sniffCompression } from './decompress.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-units-'));

async function tarFile(name: string, entries: { name: string; body?: string; type?: 'symlink' | 'directory'; linkname?: string }[]): Promise<string> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const end = new Promise<void>((r) => pack.on('end', () => r()));
  for (const { body, ...h } of entries) {
    await new Promise<void>((res, rej) => pack.entry(h, body ?? '', (e) => (e ? rej(e) : res())));
  }
  pack.finalize();
  await end;
  const f = path.join(tmp, name);
  fs.writeFileSync(f, Buffer.concat(chunks));
  return f;
}

describe('entry paths', () => {
  it.each([
    ['./usr/bin/x', 'usr/bin/x'],
    ['/etc/passwd', 'etc/passwd'],
    ['a//b/./c/', 'a/b/c'],
    ['a/b/../c', 'a/c'],
    ['./', ''],
  ])('%s → %s', (i, o) => expect(normalizeEntryPath(i)).toEqual({ ok: true, path: o }));
  it.each(['../x', '/../x', 'a/../../x', 'x\0y'])('%j is refused', (i) => expect(normalizeEntryPath(i).ok).toBe(false));
  it('symlink targets', () => {
    expect(resolveSymlinkTarget('etc/os-release', '../usr/lib/os-release')).toEqual({ ok: true, path: 'usr/lib/os-release' });
    expect(resolveSymlinkTarget('bin', 'usr/bin')).toEqual({ ok: true, path: 'usr/bin' });
    expect(resolveSymlinkTarget('etc/localtime', '/usr/share/zoneinfo/UTC')).toEqual({ ok: true, path: 'usr/share/zoneinfo/UTC' });
    expect(resolveSymlinkTarget('etc/x', '../../y').ok).toBe(false);
    expect(resolveSymlinkTarget('x', '/../../y').ok).toBe(false);
  });
  it('hard link targets', () => {
    expect(resolveHardlinkTarget('usr/bin/perl5.36')).toEqual({ ok: true, path: 'usr/bin/perl5.36' });
    expect(resolveHardlinkTarget('/etc/shadow').ok).toBe(false);
    expect(resolveHardlinkTarget('../x').ok).toBe(false);
  });
});

describe('compression sniffing', () => {
  it('gzip, zstd, plain; xz and bzip2 named as unsupported', () => {
    expect(sniffCompression(Uint8Array.from([0x1f, 0x8b, 8]))).toBe('gzip');
    expect(sniffCompression(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(sniffCompression(Buffer.from('usr/bin'))).toBe('none');
    expect(sniffCompression(Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))).toEqual({ unsupported: 'xz' });
    expect(sniffCompression(Buffer.from('BZh9'))).toEqual({ unsupported: 'bzip2' });
  });
});

describe('platform selection', () => {
  const d = (platform: Descriptor['platform'], n: string, annotations?: Record<string, string>): Descriptor => ({
    digest: `sha256:${n.repeat(64)}`,
    size: 1,
    platform,
    ...(annotations ? { annotations } : {}),
  });
  const list = [
    d({ os: 'linux', architecture: 'amd64' }, 'a'),
    d({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'b'),
    d({ os: 'linux', architecture: 'arm', variant: 'v7' }, 'c'),
    d({ os: 'unknown', architecture: 'unknown' }, 'd', { 'vnd.docker.reference.type': 'attestation-manifest' }),
  ];
  it('defaults to linux/amd64; honours --platform with or without variant', () => {
    expect(selectPlatform(list, undefined, 'x').digest).toMatch(/a{64}/);
    expect(selectPlatform(list, 'linux/arm64', 'x').digest).toMatch(/b{64}/);
    expect(selectPlatform(list, 'linux/arm64/v8', 'x').digest).toMatch(/b{64}/);
    expect(selectPlatform(list, 'linux/arm/v7', 'x').digest).toMatch(/c{64}/);
    expect(() => selectPlatform(list, 'linux/arm/v6', 'x')).toThrow(/no image for platform linux\/arm\/v6 \(available: linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7\)/);
    expect(() => selectPlatform(list, 'linux', 'x')).toThrow(expect.objectContaining({ code: 'BULWARK_E_USAGE' }));
  });
  it('the only image entry wins without --platform (attestations ignored)', () => {
    const only = [d({ os: 'linux', architecture: 's390x' }, 'e'), list[3] as Descriptor];
    expect(selectPlatform(only, undefined, 'x').digest).toMatch(/e{64}/);
  });
});

describe('outer tar index', () => {
  it('indexes members with long names (PAX / GNU), follows symlinks in the archive, reads ranges', async () => {
    const long = `blobs/sha256/${'f'.repeat(64)}/${'n'.repeat(120)}`;
    const f = await tarFile('outer.tar', [
      { name: 'manifest.json', body: '[1]' },
      { name: long, body: 'long-named' },
      { name: 'dir/link.tar', type: 'symlink', linkname: '../manifest.json' },
    ]);
    const idx = await indexTar(f);
    expect([...idx.members.keys()]).toEqual(['manifest.json', long, 'dir/link.tar']);
    const m = resolveMember(idx, './dir/link.tar');
    expect(m?.name).toBe('manifest.json');
    expect((await readMember(idx, m!)).toString()).toBe('[1]');
    expect((await readMember(idx, resolveMember(idx, long)!)).toString()).toBe('long-named');
  });
  it('a file that is not a tar is refused clearly', async () => {
    const f = path.join(tmp, 'not.tar');
    fs.writeFileSync(f, Buffer.alloc(2048, 0x41));
    await expect(indexTar(f)).rejects.toMatchObject({ code: 'BULWARK_E_ARCHIVE', message: expect.stringContaining('not a valid tar archive') });
    const gz = path.join(tmp, 'img.tar.gz');
    fs.writeFileSync(gz, zlib.gzipSync(Buffer.alloc(4096)));
    await expect(indexTar(gz)).rejects.toMatchObject({ code: 'BULWARK_E_ARCHIVE', hint: 'decompress it first (gunzip -k img.tar.gz)' });
  });
});

describe('parseImageTarget', () => {
  it('prefixes', () => {
    expect(parseImageTarget('docker-archive:/x/img.tar')).toEqual({ kind: 'docker-archive', path: '/x/img.tar' });
    expect(parseImageTarget('docker-archive:/x/img.tar:debian:multi')).toEqual({ kind: 'docker-archive', path: '/x/img.tar', tag: 'debian:multi' });
    expect(parseImageTarget('oci-dir:/x/layout:v1')).toEqual({ kind: 'oci-dir', path: '/x/layout', tag: 'v1' });
    expect(parseImageTarget('oci:/x/layout')).toEqual({ kind: 'oci-dir', path: '/x/layout' });
    expect(parseImageTarget('oci-archive:/x/a.oci.tar')).toEqual({ kind: 'oci-archive', path: '/x/a.oci.tar' });
    expect(parseImageTarget('registry:alpine')).toEqual({ kind: 'registry', reference: 'docker.io/library/alpine:latest' });
    expect(parseImageTarget('docker://ghcr.io/x/y:1')).toEqual({ kind: 'registry', reference: 'ghcr.io/x/y:1' });
    expect(parseImageTarget('rootfs:/srv/root')).toEqual({ kind: 'rootfs', path: '/srv/root' });
    expect(parseImageTarget('registry:Not Valid')).toBeUndefined();
  });
  it('a path with colons keeps them when it exists', async () => {
    const f = await tarFile('with:colon.tar', [{ name: 'manifest.json', body: '[]' }]);
    expect(parseImageTarget(`docker-archive:${f}`)).toEqual({ kind: 'docker-archive', path: f });
    expect(parseImageTarget(`docker-archive:${f}:t`)).toEqual({ kind: 'docker-archive', path: f, tag: 't' });
    expect(parseImageTarget(`docker-archive:${f}:example/app:2`)).toEqual({ kind: 'docker-archive', path: f, tag: 'example/app:2' });
  });
  it('bare paths are detected; other strings are references', async () => {
    const docker = await tarFile('d.tar', [{ name: 'abc.tar', body: 'x' }, { name: 'manifest.json', body: '[]' }]);
    const oci = await tarFile('o.tar', [{ name: 'blobs/', type: 'directory' }, { name: 'oci-layout', body: '{}' }, { name: 'index.json', body: '{}' }]);
    const other = await tarFile('other.tar', [{ name: 'hello.txt', body: 'x' }]);
    expect(parseImageTarget(docker)?.kind).toBe('docker-archive');
    expect(parseImageTarget(oci)?.kind).toBe('oci-archive');
    expect(parseImageTarget(other)).toBeUndefined();
    fs.writeFileSync(path.join(tmp, 'plain.txt'), 'hello');
    expect(parseImageTarget(path.join(tmp, 'plain.txt'))).toBeUndefined();
    const layout = path.join(tmp, 'layout');
    fs.mkdirSync(layout);
    fs.writeFileSync(path.join(layout, 'oci-layout'), '{}');
    expect(parseImageTarget(layout)).toEqual({ kind: 'oci-dir', path: layout });
    expect(parseImageTarget(tmp)).toBeUndefined(); // a source tree
    expect(parseImageTarget('./does-not-exist')).toBeUndefined();
    expect(parseImageTarget('debian:12')).toEqual({ kind: 'registry', reference: 'docker.io/library/debian:12' });
    expect(parseImageTarget('127.0.0.1:5000/debian:multi')).toEqual({ kind: 'registry', reference: '127.0.0.1:5000/debian:multi' });
  });
  it('looksLikeRootfs', () => {
    const r = path.join(tmp, 'root');
    fs.mkdirSync(path.join(r, 'etc'), { recursive: true });
    expect(looksLikeRootfs(r)).toBe(false);
    fs.symlinkSync('../usr/lib/os-release', path.join(r, 'etc/os-release')); // dangling is fine: lstat
    expect(looksLikeRootfs(r)).toBe(true);
    const r2 = path.join(tmp, 'root2');
    fs.mkdirSync(path.join(r2, 'var/lib/dpkg'), { recursive: true });
    expect(looksLikeRootfs(r2)).toBe(true);
  });
});

describe('entry path normalization: the fast path agrees with the segment-by-segment one', () => {
  // the segment-by-segment normalization, as a reference
  const reference = (name: string): ReturnType<typeof normalizeEntryPath> => {
    if (name.includes('\0')) return { ok: false, reason: 'NUL byte in path' };
    const parts: string[] = [];
    for (const seg of name.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (parts.length === 0) return { ok: false, reason: name.startsWith('/') ? 'absolute path escapes the root' : 'path escapes the root (..)' };
        parts.pop();
        continue;
      }
      parts.push(seg);
    }
    return { ok: true, path: parts.join('/') };
  };
  it('on random names made of path-like pieces', () => {
    const piece = fc.constantFrom('a', 'usr', '.', '..', '', '.wh.x', '..a', 'a.', '.a', '\0', 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.boolean(), fc.boolean(), (segs, lead, trail) => {
        const name = `${lead ? './' : ''}${segs.join('/')}${trail ? '/' : ''}`;
        expect(normalizeEntryPath(name)).toEqual(reference(name));
      }),
      { numRuns: 2000 },
    );
  });
});
