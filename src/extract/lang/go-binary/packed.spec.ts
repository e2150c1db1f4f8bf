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
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { goBinaryExtractor } from './index.js';
import { packerOf, readGoBuildInfo, unreadableReason } from './parse.js';

const emptyTree = { read: () => Promise.resolve(undefined) };

function elfHeader(): Buffer {
  const h = Buffer.alloc(64 + 56);
  h.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELF64, little-endian, version 1
  h.writeUInt16LE(2, 16); // ET_EXEC
  h.writeUInt16LE(0x3e, 18); // x86-64
  h.writeUInt32LE(1, 20);
  h.writeBigUInt64LE(64n, 32); // e_phoff
  h.writeUInt16LE(64, 52); // e_ehsize
  h.writeUInt16LE(56, 54); // e_phentsize
  h.writeUInt16LE(1, 56); // e_phnum
  h.writeUInt32LE(1, 64); // PT_LOAD
  return h;
}

/** A Go module-info blob as the Go linker embeds it, so the payload really holds build info before packing. */
function goBuildInfoBlob(): Buffer {
  const magic = Buffer.from('\xff Go buildinf:', 'latin1');
  const head = Buffer.concat([magic, Buffer.from([8, 2]), Buffer.alloc(16)]);
  const uvarint = (n: number): Buffer => {
    const out: number[] = [];
    for (let v = n; ; v >>>= 7) {
      if (v < 0x80) {
        out.push(v);
        return Buffer.from(out);
      }
      out.push((v & 0x7f) | 0x80);
    }
  };
  const str = (s: string) => Buffer.concat([uvarint(Buffer.byteLength(s)), Buffer.from(s)]);
  const mod = 'path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/crypto\tv0.0.0-20201002170205-7f63de1d35b0\th1:x=\n';
  return Buffer.concat([head, str('go1.21.3'), str(mod)]);
}

function upxElf(): Uint8Array {
  const lInfo = Buffer.alloc(12);
  lInfo.writeUInt32LE(0x1234abcd, 0); // l_checksum
  lInfo.write('UPX!', 4, 'latin1'); // l_magic
  lInfo.writeUInt16LE(0x4e0, 8); // l_lsize
  lInfo[10] = 14; // l_version
  lInfo[11] = 22; // l_format: UPX_F_LINUX_ELF64_AMD
  const payload = deflateSync(Buffer.concat([elfHeader(), Buffer.alloc(512, 0x90), goBuildInfoBlob(), Buffer.alloc(4096, 0x41)]));
  const banner = Buffer.from('\0$Info: This file is packed with the UPX executable packer http://upx.sf.net $\n\0$Id: UPX 4.22 Copyright (C) 1996-2024 the UPX Team. All Rights Reserved. $\n\0', 'latin1');
  return new Uint8Array(Buffer.concat([elfHeader(), lInfo, payload, banner, Buffer.from('UPX!', 'latin1'), Buffer.alloc(32)]));
}

function upxPe(): Uint8Array {
  const b = Buffer.alloc(1024);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c); // e_lfanew
  b.write('PE\0\0', 0x80, 'latin1');
  b.write('UPX0\0\0\0\0', 0x188, 'latin1'); // section table: UPX0, UPX1
  b.write('UPX1\0\0\0\0', 0x1b0, 'latin1');
  return new Uint8Array(b);
}

describe('lang/go-binary on packed and damaged executables', () => {
  it('the UPX ELF is what the test says: the deflated payload hides the build info', () => {
    expect(readGoBuildInfo(upxElf())).toBeUndefined();
    expect(packerOf(upxElf())).toBe('UPX');
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

  it('the same build info unpacked is read (so the packed case fails only because it is packed)', () => {
    const plain = new Uint8Array(Buffer.concat([elfHeader(), Buffer.alloc(512, 0x90), goBuildInfoBlob()]));
    const info = readGoBuildInfo(plain);
    expect(info?.goVersion).toBe('go1.21.3');
    expect(info?.deps.map((d) => `${d.path}@${d.version}`)).toEqual(['golang.org/x/crypto@v0.0.0-20201002170205-7f63de1d35b0']);
  });

  it('executables without Go or packer marks, and non-executables, stay silent', () => {
    expect(unreadableReason(new Uint8Array(Buffer.concat([elfHeader(), Buffer.alloc(1024)])))).toBeUndefined();
    expect(unreadableReason(new TextEncoder().encode('#!/bin/sh\necho UPX!\n'.padEnd(200, ' ')))).toBeUndefined();
  });
});
