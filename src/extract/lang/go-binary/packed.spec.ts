/**
 * Executables whose Go build information cannot be read are reported as a file problem, never as
 * "0 packages, no error": a UPX-packed binary (its sections are compressed, the build info with them) and one
 * whose build-info magic does not decode.
 *
 * The packed files are built here with UPX's on-disk layout (upx-4.x, src/stub and p_lx_elf.cpp / p_w64pe.cpp):
 * an ELF header and program header, then the `l_info` block (checksum, magic "UPX!", size, version, format),
 * the compressed payload (here: a real deflate stream), and the stub's "$Info: This file is packed with the
 * UPX executable packer" banner; a PE file whose section table names UPX0/UPX1. `upx` itself is not
 * installed on the build machines.
 */
import { describe, expect, it } from 'vitest';
import { elfHeader, goBuildInfoBlob, upxElf, upxPe } from '../../../../test/support/upx.js';
import { goBinaryExtractor } from './index.js';
import { packerOf, readGoBuildInfo, unreadableReason } from './parse.js';
import { bytesFile } from '../../util/random-access.js';

const emptyTree = { read: () => Promise.resolve(undefined) };

describe('lang/go-binary on packed and damaged executables', () => {
  it('the UPX ELF is what the test says: the deflated payload hides the build info', async () => {
    expect(await readGoBuildInfo(bytesFile(upxElf()))).toBeUndefined();
    expect(await packerOf(bytesFile(upxElf()))).toBe('UPX');
  });

  it('a UPX-packed ELF is a file problem with code BULWARK_E_UNSUPPORTED and no packages', async () => {
    const out = await goBinaryExtractor.extract({ path: 'usr/local/bin/app', content: upxElf(), tree: emptyTree });
    expect(out.packages).toEqual([]);
    expect(out.problems).toHaveLength(1);
    expect(out.problems?.[0]).toMatchObject({ path: 'usr/local/bin/app', extractor: 'lang/go-binary', code: 'BULWARK_E_UNSUPPORTED' });
    expect(out.problems?.[0]?.message).toMatch(/UPX-packed.*upx -d/);
  });

  it('a UPX-packed PE (sections UPX0/UPX1) is a file problem too', async () => {
    const out = await goBinaryExtractor.extract({ path: 'bin/app.exe', content: upxPe(), tree: emptyTree });
    expect(out.packages).toEqual([]);
    expect(out.problems?.[0]?.message).toMatch(/UPX-packed/);
  });

  it('build-info magic that does not decode is a file problem (damaged or truncated executable)', async () => {
    const bytes = Buffer.concat([elfHeader(), Buffer.alloc(256), Buffer.from('\xff Go buildinf:', 'latin1'), Buffer.from([3, 0]), Buffer.alloc(8)]);
    const out = await goBinaryExtractor.extract({ path: 'bin/app', content: new Uint8Array(bytes), tree: emptyTree });
    expect(out.packages).toEqual([]);
    expect(out.problems?.[0]?.message).toMatch(/cannot be decoded/);
  });

  it('the same build info unpacked is read (so the packed case fails only because it is packed)', async () => {
    const plain = new Uint8Array(Buffer.concat([elfHeader(), Buffer.alloc(512, 0x90), goBuildInfoBlob()]));
    const info = await readGoBuildInfo(bytesFile(plain));
    expect(info?.goVersion).toBe('go1.21.3');
    expect(info?.deps.map((d) => `${d.path}@${d.version}`)).toEqual(['golang.org/x/crypto@v0.0.0-20201002170205-7f63de1d35b0']);
  });

  it('executables without Go or packer marks, and non-executables, stay silent', async () => {
    expect(await unreadableReason(bytesFile(new Uint8Array(Buffer.concat([elfHeader(), Buffer.alloc(1024)]))))).toBeUndefined();
    expect(await unreadableReason(bytesFile(new TextEncoder().encode('#!/bin/sh\necho UPX!\n'.padEnd(200, ' '))))).toBeUndefined();
  });
});
