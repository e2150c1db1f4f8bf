import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from '../../../../test/support/extract.js';
import { goBinaryExtractor } from './index.js';
import { executableFormat, parseModInfo, readGoBuildInfo } from './parse.js';
import { bytesFile } from '../../util/random-access.js';

function goAvailable(): string | undefined {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
const GO = goAvailable();
if (!GO) console.warn('lang/go-binary: `go` is not installed; the tests that build real Go binaries are skipped');

describe('lang/go-binary required()', () => {
  it.each([
    ['usr/local/bin/kubectl', true],
    ['bin/app', true],
    ['sbin/init', true],
    ['usr/bin/tool.exe', true],
    ['app', true],
    ['Makefile', true], // claimed, then rejected by extract() from its first bytes
    ['src/app', false],
    ['bin/script.sh', false],
    ['usr/bin/', false],
  ])('%s → %s', (p, want) => expect(goBinaryExtractor.required(p)).toBe(want));
});

describe('lang/go-binary on non-Go files', () => {
  it('text, ELF without build info and truncated headers yield nothing', async () => {
    expect((await extractText(goBinaryExtractor, 'Makefile', 'all:\n\techo hi\n')).packages).toEqual([]);
    const elf = new Uint8Array(256);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    expect((await extractText(goBinaryExtractor, 'bin/x', elf)).packages).toEqual([]);
    expect(executableFormat(new Uint8Array([0x7f, 0x45]))).toBeUndefined();
    if (fs.existsSync('/bin/sh')) {
      // the shell is a C program: ELF, but no Go build info
      const sh = fs.readFileSync(fs.realpathSync('/bin/sh'));
      expect(await readGoBuildInfo(bytesFile(sh))).toBeUndefined();
    }
  });
});

describe('lang/go-binary module info text', () => {
  it('parses path/mod/dep/=>/build lines with sentinels', () => {
    const body = [
      'path\texample.com/cmd/app',
      'mod\texample.com\tv1.0.0\th1:abc=',
      'dep\tgolang.org/x/text\tv0.3.0\th1:def=',
      'dep\texample.com/old\tv1.0.0',
      '=>\texample.com/new\tv1.1.0\th1:ghi=',
      'build\t-compiler=gc',
      '',
    ].join('\n');
    const s = `${'0'.repeat(16)}${body}${'1'.repeat(16)}`;
    const info = parseModInfo(s);
    expect(info.path).toBe('example.com/cmd/app');
    expect(info.main).toEqual({ path: 'example.com', version: 'v1.0.0', sum: 'h1:abc=' });
    expect(info.deps[1]).toEqual({ path: 'example.com/old', version: 'v1.0.0', replace: { path: 'example.com/new', version: 'v1.1.0', sum: 'h1:ghi=' } });
    expect(info.settings['-compiler']).toBe('gc');
  });
});

/** A minimal little-endian ELF64 with one PT_LOAD segment holding a pre-1.18 (pointer-based) build info. */
function syntheticPointerElf(goVersion: string, modinfo: string): Uint8Array {
  const buf = Buffer.alloc(4096);
  const base = 0x400000;
  buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  buf.writeBigUInt64LE(64n, 0x20); // e_phoff
  buf.writeUInt16LE(56, 0x36); // e_phentsize
  buf.writeUInt16LE(1, 0x38); // e_phnum
  const ph = 64;
  buf.writeUInt32LE(1, ph); // PT_LOAD
  buf.writeBigUInt64LE(0n, ph + 8); // p_offset
  buf.writeBigUInt64LE(BigInt(base), ph + 16); // p_vaddr
  buf.writeBigUInt64LE(4096n, ph + 32); // p_filesz
  const hdr = 512;
  buf.write('\xff Go buildinf:', hdr, 'latin1');
  buf[hdr + 14] = 8; // pointer size
  buf[hdr + 15] = 0; // little-endian, pointer-based
  const vStr = 1024; // string header for the version
  const mStr = 1040; // string header for the module info
  buf.writeBigUInt64LE(BigInt(base + vStr), hdr + 16);
  buf.writeBigUInt64LE(BigInt(base + mStr), hdr + 24);
  const vData = 2048;
  const mData = 2112;
  buf.write(goVersion, vData, 'utf8');
  buf.write(modinfo, mData, 'utf8');
  buf.writeBigUInt64LE(BigInt(base + vData), vStr);
  buf.writeBigUInt64LE(BigInt(Buffer.byteLength(goVersion)), vStr + 8);
  buf.writeBigUInt64LE(BigInt(base + mData), mStr);
  buf.writeBigUInt64LE(BigInt(Buffer.byteLength(modinfo)), mStr + 8);
  return new Uint8Array(buf);
}

describe('lang/go-binary pre-1.18 pointer format (synthetic ELF, hand-built in the test)', () => {
  it('follows the pointers through the PT_LOAD segment', async () => {
    const modinfo = `${'0'.repeat(16)}path\tgithub.com/x/tool\nmod\tgithub.com/x/tool\tv0.4.0\th1:a=\ndep\tgithub.com/pkg/errors\tv0.9.1\th1:b=\n${'1'.repeat(16)}`;
    const out = await extractText(goBinaryExtractor, 'usr/local/bin/tool', syntheticPointerElf('go1.16.15', modinfo));
    expect(out.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      'github.com/pkg/errors@v0.9.1', 'github.com/x/tool@v0.4.0', 'stdlib@v1.16.15',
    ]);
    expect(out.packages[2]).toMatchObject({ ecosystem: 'Go', purl: 'pkg:golang/stdlib@v1.16.15', foundBy: 'lang/go-binary' });
  });
});

describe.skipIf(!GO)(`lang/go-binary on real binaries built with ${GO ?? 'go (absent)'}`, () => {
  let dir = '';
  const built: Record<string, Uint8Array> = {};
  const goVersion = /go(\d+\.\d+(?:\.\d+)?)/.exec(GO ?? '')?.[1] ?? '';

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-gobin-'));
    // a main module that uses the stdlib and one module replaced by a local directory; no network needed
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.18\n\nrequire example.com/greet v1.2.3\n\nreplace example.com/greet => ./greet\n');
    fs.writeFileSync(path.join(dir, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\t"example.com/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n');
    fs.mkdirSync(path.join(dir, 'greet'));
    fs.writeFileSync(path.join(dir, 'greet', 'go.mod'), 'module example.com/greet\n\ngo 1.18\n');
    fs.writeFileSync(path.join(dir, 'greet', 'greet.go'), 'package greet\n\nfunc Hello() string { return "hi" }\n');
    const env = { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOWORK: 'off' };
    for (const [goos, goarch, out] of [['linux', 'amd64', 'hello'], ['windows', 'amd64', 'hello.exe'], ['darwin', 'arm64', 'hello-mac']] as const) {
      execFileSync('go', ['build', '-trimpath', '-o', out, '.'], { cwd: dir, env: { ...env, GOOS: goos, GOARCH: goarch }, stdio: 'pipe' });
      built[goos] = fs.readFileSync(path.join(dir, out));
    }
  }, 300_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([['linux', 'elf'], ['windows', 'pe'], ['darwin', 'macho']])('%s binary (%s): stdlib; local replacement is an unknown', async (goos, format) => {
    const bytes = built[goos] as Uint8Array;
    expect((await readGoBuildInfo(bytesFile(bytes)))?.format).toBe(format);
    const out = await extractText(goBinaryExtractor, 'usr/local/bin/hello', bytes);
    // main module was built from a local checkout: `(devel)`, so not reported
    expect(out.packages.map((p) => `${p.name}@${p.version}`)).toEqual([`stdlib@v${goVersion.split('.').length === 2 ? `${goVersion}.0` : goVersion}`]);
    expect(out.unknowns).toEqual([
      expect.objectContaining({ kind: 'unresolved-version', package: { name: 'example.com/greet', version: 'v1.2.3' } }),
    ]);
    const info = await readGoBuildInfo(bytesFile(bytes));
    expect(info?.path).toBe('example.com/hello');
    expect(info?.main).toMatchObject({ path: 'example.com/hello', version: '(devel)' });
    expect(info?.deps).toEqual([{ path: 'example.com/greet', version: 'v1.2.3', replace: { path: './greet', version: '(devel)' } }]);
  });
});
