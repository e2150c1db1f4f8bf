/**
 * Executables built with UPX's on-disk layout (upx-4.x, src/stub and p_lx_elf.cpp / p_w64pe.cpp), for the tests of
 * packed binaries: an ELF header and program header, then the `l_info` block (checksum, magic "UPX!", size,
 * version, format), the compressed payload (here: a real deflate stream holding Go build info), and the stub's
 * "$Info: This file is packed with the UPX executable packer" banner; a PE file whose section table names
 * UPX0/UPX1. `upx` itself is not installed on the build machines.
 */
import { deflateSync } from 'node:zlib';

export function elfHeader(): Buffer {
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
export function goBuildInfoBlob(): Buffer {
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

export function upxElf(): Uint8Array {
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

export function upxPe(): Uint8Array {
  const b = Buffer.alloc(1024);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c); // e_lfanew
  b.write('PE\0\0', 0x80, 'latin1');
  b.write('UPX0\0\0\0\0', 0x188, 'latin1'); // section table: UPX0, UPX1
  b.write('UPX1\0\0\0\0', 0x1b0, 'latin1');
  return new Uint8Array(b);
}

