/**
 * Test helper (imported by specs only): a minimal ELF file with a section header table holding
 * `.shstrtab` and the given sections. Enough for section lookup; not an executable.
 */
export function makeElf(sections: { name: string; data: Uint8Array }[], opts: { is64?: boolean; le?: boolean } = {}): Uint8Array {
  const is64 = opts.is64 ?? true;
  const le = opts.le ?? true;
  const ehsize = is64 ? 64 : 52;
  const shentsize = is64 ? 64 : 40;
  const names = ['', '.shstrtab', ...sections.map((s) => s.name)];
  const nameOff: number[] = [];
  let strtab = '';
  for (const n of names) {
    nameOff.push(strtab.length);
    strtab += `${n}\0`;
  }
  const strBytes = new TextEncoder().encode(strtab);
  const blobs = [strBytes, ...sections.map((s) => s.data)];
  const offsets: number[] = [];
  let off = ehsize;
  for (const b of blobs) {
    offsets.push(off);
    off += b.length;
  }
  const shoff = off;
  const shnum = names.length;
  const buf = new Uint8Array(shoff + shnum * shentsize);
  const dv = new DataView(buf.buffer);
  buf.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1], 0);
  const w16 = (o: number, v: number) => dv.setUint16(o, v, le);
  const w32 = (o: number, v: number) => dv.setUint32(o, v, le);
  const wWord = (o: number, v: number) => (is64 ? dv.setBigUint64(o, BigInt(v), le) : dv.setUint32(o, v, le));
  w16(0x10, 2); // ET_EXEC
  wWord(is64 ? 0x28 : 0x20, shoff);
  w16(is64 ? 0x34 : 0x28, ehsize);
  w16(is64 ? 0x3a : 0x2e, shentsize);
  w16(is64 ? 0x3c : 0x30, shnum);
  w16(is64 ? 0x3e : 0x32, 1);
  blobs.forEach((b, i) => buf.set(b, offsets[i] as number));
  for (let i = 1; i < shnum; i++) {
    const o = shoff + i * shentsize;
    w32(o, nameOff[i] as number);
    w32(o + 4, i === 1 ? 3 : 1); // SHT_STRTAB / SHT_PROGBITS
    wWord(o + (is64 ? 0x18 : 0x10), offsets[i - 1] as number);
    wWord(o + (is64 ? 0x20 : 0x14), (blobs[i - 1] as Uint8Array).length);
  }
  return buf;
}
