import fs from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { ids, run } from '../../../../test/support/extract.js';
import { cargoAuditableExtractor as ex } from './index.js';
import { makeElf } from '../../../../test/support/make-elf.js';

// The audit data format as cargo-auditable writes it (rust-secure-code/cargo-auditable, auditable-serde): packages
// with name, version, source, optional kind ("build") and root, dependencies as indices.
const audit = {
  packages: [
    { name: 'myapp', version: '0.1.0', source: 'local', dependencies: [1, 3], root: true },
    { name: 'serde', version: '1.0.193', source: 'crates.io', dependencies: [2] },
    { name: 'serde_derive', version: '1.0.193', source: 'crates.io', kind: 'build' },
    { name: 'time', version: '0.3.30', source: 'crates.io' },
  ],
};
const depV0 = (doc: unknown) => new Uint8Array(deflateSync(Buffer.from(JSON.stringify(doc))));

describe('lang/cargo-auditable required', () => {
  it.each([
    ['usr/local/bin/ripgrep', true],
    ['bin/app', true],
    ['usr/sbin/daemon', true],
    ['work/target/release/myapp', true],
    ['usr/local/bin/script.sh', false],
    ['usr/lib/libfoo.so', false],
    ['home/user/app', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

describe('lang/cargo-auditable', () => {
  it.each([
    ['ELF64 little-endian', { is64: true, le: true }],
    ['ELF32 little-endian', { is64: false, le: true }],
    ['ELF64 big-endian', { is64: true, le: false }],
  ])('%s: reads .dep-v0', async (_label, opts) => {
    const elf = makeElf([{ name: '.text', data: new Uint8Array(16) }, { name: '.dep-v0', data: depV0(audit) }], opts);
    const out = await run(ex, 'usr/local/bin/myapp', elf);
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.dev, p.purl])).toEqual([
      ['myapp', '0.1.0', undefined, false, 'pkg:cargo/myapp@0.1.0'],
      ['serde', '1.0.193', true, false, 'pkg:cargo/serde@1.0.193'],
      ['serde_derive', '1.0.193', false, true, 'pkg:cargo/serde_derive@1.0.193'],
      ['time', '0.3.30', true, false, 'pkg:cargo/time@0.3.30'],
    ]);
    expect(out.packages.every((p) => p.ecosystem === 'crates.io' && p.locations[0]?.path === 'usr/local/bin/myapp')).toBe(true);
  });

  it('an ELF without .dep-v0 yields nothing', async () => {
    expect((await run(ex, 'bin/ls', makeElf([{ name: '.text', data: new Uint8Array(8) }]))).packages).toEqual([]);
  });

  it('non-ELF content (a shell script) is dropped at the magic bytes', async () => {
    expect(await run(ex, 'bin/tool', '#!/bin/sh\necho hi\n')).toEqual({ packages: [] });
  });

  const realElf = '/bin/true';
  it.skipIf(!fs.existsSync(realElf))('a real ELF binary without audit data (/bin/true)', async () => {
    expect((await run(ex, 'bin/true', new Uint8Array(fs.readFileSync(realElf)))).packages).toEqual([]);
  });

  it('corrupt zlib in .dep-v0 → ParseError naming the path', async () => {
    const elf = makeElf([{ name: '.dep-v0', data: new Uint8Array([1, 2, 3, 4]) }]);
    await expect(run(ex, 'bin/x', elf)).rejects.toSatisfy((e: unknown) => e instanceof ParseError && e.path === 'bin/x');
  });

  it('a section table pointing past the end → ParseError', async () => {
    const elf = makeElf([{ name: '.dep-v0', data: depV0(audit) }]);
    await expect(run(ex, 'bin/x', elf.subarray(0, elf.length - 10))).rejects.toBeInstanceOf(ParseError);
  });

  it('a bad package entry is dropped and recorded', async () => {
    const elf = makeElf([{ name: '.dep-v0', data: depV0({ packages: [{ name: 'a' }, { name: 'b', version: '1.0.0', source: 'crates.io' }] }) }]);
    const out = await run(ex, 'bin/x', elf);
    expect(ids(out)).toEqual(['b@1.0.0']);
    expect(out.problems).toHaveLength(1);
  });
});
