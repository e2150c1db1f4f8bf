/**
 * A synchronous tar reader over buffers: fed the archive's bytes in chunks of any size, it parses the 512-byte
 * headers (ustar prefix, GNU long names and links, PAX records, base-256 sizes) and skips entry bodies by counting
 * bytes, so an entry costs one header parse, not a stream object. Only the bodies the sink asks for are
 * materialised, each into one buffer of its declared size.
 *
 * It reads what tar-stream (with allowUnknownFormat) reads, with the same refusals: a bad header checksum, a
 * negative or unparsable size, a long-name or PAX record over 4 MiB, and an archive that ends inside a header, a
 * body or its padding.
 */

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarHeader {
  /** The name as recorded (PAX path, GNU long name, or ustar prefix/name), not normalized. */
  name: string;
  type: TarEntryType;
  /** Bytes of the entry's body in the archive. */
  size: number;
  mode: number;
  linkname: string;
}

export interface TarSink {
  /**
   * Called once per entry header; returning true asks for the entry's body, delivered whole to `body` in a buffer of
   * its own. Returning a buffer (at least the body's size) asks for the body to be read into that buffer instead: the
   * sink reuses it for the next such body, so `body` must be done with it before it returns.
   */
  entry(h: TarHeader): boolean | Buffer;
  body(h: TarHeader, data: Buffer): void;
}

export class TarFormatError extends Error {
  constructor(
    message: string,
    /** Offset in the uncompressed tar where the problem was found. */
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset} of the tar)`);
    this.name = 'TarFormatError';
  }
}

const MAX_META_RECORD = 4 * 1024 * 1024;
const BLOCK = 512;

const enum State {
  Header,
  Body,
  Padding,
}

/** Kind of body being read: an entry's (skipped or collected) or a metadata record for the next entry. */
const enum BodyKind {
  Skip,
  Collect,
  LongName,
  LongLink,
  Pax,
  PaxGlobal,
}

function octal(buf: Buffer, start: number, len: number): number {
  const first = buf[start] as number;
  if (first & 0x80) {
    // base-256: 0x80 positive, 0xff negative (two's complement)
    const positive = first === 0x80;
    if (!positive && first !== 0xff) return NaN;
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + (positive ? (buf[i] as number) : 0xff - (buf[i] as number));
    return positive ? v : -v;
  }
  let i = start;
  const end = start + len;
  while (i < end && buf[i] === 0x20) i++;
  let stop = i;
  while (stop < end && buf[stop] !== 0x20 && buf[stop] !== 0) stop++;
  // "0000\0" and "   0 " alike: digits up to the first NUL or space
  if (stop === i) return 0;
  let v = 0;
  for (let k = i; k < stop; k++) {
    const c = (buf[k] as number) - 0x30;
    if (c < 0 || c > 7) return NaN;
    v = v * 8 + c;
  }
  return v;
}

function cstring(buf: Buffer, start: number, len: number): string {
  let end = start;
  const max = start + len;
  while (end < max && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}

function checksumOk(h: Buffer): 'ok' | 'zero' | 'bad' {
  // Sum of the 512 bytes with the checksum field (bytes 148-155, words 37 and 38) counted as spaces. Four bytes at a
  // time: two 16-bit lanes per accumulator cannot overflow over 128 words (128 * 255 < 65536).
  const v = new DataView(h.buffer, h.byteOffset, BLOCK);
  let even = 0;
  let odd = 0;
  for (let w = 0; w < 128; w++) {
    if (w === 37 || w === 38) continue;
    const x = v.getUint32(w * 4, true);
    even += x & 0x00ff00ff;
    odd += (x >>> 8) & 0x00ff00ff;
  }
  const unsigned = 8 * 0x20 + (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16);
  if (unsigned === 8 * 0x20) return 'zero'; // an all-zero block: end-of-archive marker (or padding after it)
  const stored = octal(h, 148, 8);
  if (stored === unsigned) return 'ok';
  // some old writers summed signed bytes
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    const b = h[i] as number;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === signed ? 'ok' : 'bad';
}

function isUstar(h: Buffer): boolean {
  // "ustar\0" (POSIX); GNU's "ustar  \0" has no prefix field
  return h[257] === 0x75 && h[258] === 0x73 && h[259] === 0x74 && h[260] === 0x61 && h[261] === 0x72 && h[262] === 0;
}

function parsePax(data: Buffer, into: Record<string, string>): void {
  let pos = 0;
  while (pos < data.length) {
    let sp = pos;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = parseInt(data.toString('latin1', pos, sp), 10);
    if (!(len > 0) || pos + len > data.length) return;
    const rec = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq === -1) return;
    into[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
}

export class TarWalker {
  private state = State.Header;
  /** Absolute offset in the tar of the next byte to be consumed. */
  private offset = 0;
  private readonly header = Buffer.allocUnsafe(BLOCK);
  private headerFill = 0;
  private remaining = 0;
  private padding = 0;
  private kind = BodyKind.Skip;
  private collect: Buffer | undefined;
  private collectFill = 0;
  private current: TarHeader | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;
  private pax: Record<string, string> | undefined;
  private paxGlobal: Record<string, string> | undefined;

  constructor(private readonly sink: TarSink) {}

  /** Bytes consumed so far. */
  get position(): number {
    return this.offset;
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === State.Header) {
        if (this.headerFill === 0 && n - i >= BLOCK) {
          i += BLOCK;
          this.offset += BLOCK;
          this.onHeader(chunk.subarray(i - BLOCK, i));
          continue;
        }
        const take = Math.min(BLOCK - this.headerFill, n - i);
        chunk.copy(this.header, this.headerFill, i, i + take);
        this.headerFill += take;
        i += take;
        this.offset += take;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.onHeader(this.header);
        }
        continue;
      }
      if (this.state === State.Body) {
        const take = Math.min(this.remaining, n - i);
        if (this.collect) {
          chunk.copy(this.collect, this.collectFill, i, i + take);
          this.collectFill += take;
        }
        i += take;
        this.offset += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endBody();
        continue;
      }
      // padding to the next 512-byte boundary
      const take = Math.min(this.padding, n - i);
      i += take;
      this.offset += take;
      this.padding -= take;
      if (this.padding === 0) this.state = State.Header;
    }
  }

  /**
   * Bytes that may be passed over now without being read: the rest of a body nobody asked for and its padding (0
   * anywhere else). A reader that can seek (a plain tar in a file) calls `skip` instead of reading them.
   */
  skippable(): number {
    if (this.state === State.Body) return this.collect ? 0 : this.remaining + this.padding;
    return this.state === State.Padding ? this.padding : 0;
  }

  /** Passes over `n` bytes (at most `skippable()`) as if they had been pushed. */
  skip(n: number): void {
    if (!(n >= 0 && n <= this.skippable())) throw new RangeError(`cannot skip ${n} bytes here (${this.skippable()} skippable)`);
    if (n === 0) return;
    if (this.state === State.Body) {
      const take = Math.min(this.remaining, n);
      this.remaining -= take;
      this.offset += take;
      n -= take;
      if (this.remaining > 0) return;
      this.endBody();
    }
    if (this.state === State.Padding && n > 0) {
      this.padding -= n;
      this.offset += n;
      if (this.padding === 0) this.state = State.Header;
    }
  }

  /**
   * When a wanted body is being collected: the buffer it goes to and where its next byte goes, so that a reader can
   * read straight into it and then call `collected` (instead of pushing a chunk that is copied again).
   */
  collecting(): { buffer: Buffer; at: number; remaining: number } | undefined {
    if (this.state !== State.Body || !this.collect) return undefined;
    return { buffer: this.collect, at: this.collectFill, remaining: this.remaining };
  }

  /** `n` bytes (at most the remaining ones) were written into the `collecting()` buffer by the reader. */
  collected(n: number): void {
    if (this.state !== State.Body || !this.collect || !(n >= 0 && n <= this.remaining)) throw new RangeError(`cannot account ${n} collected bytes here`);
    this.collectFill += n;
    this.remaining -= n;
    this.offset += n;
    if (this.remaining === 0) this.endBody();
  }

  /** The input is over: fails when it stopped inside a header, a body or the padding after one. */
  end(): void {
    if (this.state === State.Header && this.headerFill === 0) return;
    const where = this.state === State.Header ? 'a header' : this.state === State.Body ? `the body of ${this.current?.name ?? 'a record'}` : 'the padding after an entry';
    throw new TarFormatError(`unexpected end of data inside ${where}`, this.offset);
  }

  private onHeader(h: Buffer): void {
    const at = this.offset - BLOCK;
    const sum = checksumOk(h);
    if (sum === 'zero') return;
    if (sum === 'bad') throw new TarFormatError('invalid tar header (bad checksum): corrupt, or not a tar', at);
    const flag = h[156] as number;
    let size = octal(h, 124, 12);
    if (!(size >= 0)) throw new TarFormatError('invalid tar header (size field)', at);
    // metadata records for the next entry
    if (flag === 0x4c /* L */ || flag === 0x4e /* N */ || flag === 0x4b /* K */ || flag === 0x78 /* x */ || flag === 0x67 /* g */) {
      if (size > MAX_META_RECORD) throw new TarFormatError(`tar metadata record of ${size} bytes exceeds ${MAX_META_RECORD}`, at);
      this.kind = flag === 0x4b ? BodyKind.LongLink : flag === 0x78 ? BodyKind.Pax : flag === 0x67 ? BodyKind.PaxGlobal : BodyKind.LongName;
      this.startBody(size, true);
      return;
    }
    let name = cstring(h, 0, 100);
    if (isUstar(h) && h[345] !== 0) name = `${cstring(h, 345, 155)}/${name}`;
    let linkname = h[157] === 0 ? '' : cstring(h, 157, 100);
    if (this.longName) name = this.longName;
    if (this.longLink) linkname = this.longLink;
    const pax = this.pax;
    if (pax) {
      if (pax.path) name = pax.path;
      if (pax.linkpath) linkname = pax.linkpath;
      if (pax.size) size = parseInt(pax.size, 10);
      if (!(size >= 0)) throw new TarFormatError('invalid PAX size record', at);
    }
    this.longName = this.longLink = this.pax = undefined;
    let type: TarEntryType;
    switch (flag) {
      case 0:
      case 0x30:
      case 0x37:
        type = name.endsWith('/') ? 'dir' : 'file';
        break;
      case 0x31:
        type = 'hardlink';
        break;
      case 0x32:
        type = 'symlink';
        break;
      case 0x35:
        type = 'dir';
        break;
      default:
        type = 'other';
    }
    const entry: TarHeader = { name, type, size, mode: octal(h, 100, 8) || 0, linkname };
    this.current = entry;
    // a directory's size field is not a body (as tar-stream reads it)
    if (type === 'dir') {
      this.sink.entry({ ...entry, size: 0 });
      return;
    }
    const want = this.sink.entry(entry);
    this.kind = want === false ? BodyKind.Skip : BodyKind.Collect;
    if (typeof want !== 'boolean' && want.length < size) throw new RangeError(`a ${want.length}-byte buffer cannot take a ${size}-byte body`);
    this.startBody(size, want);
  }

  private startBody(size: number, collect: boolean | Buffer): void {
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.collect = collect === false ? undefined : collect === true ? Buffer.allocUnsafe(size) : collect.subarray(0, size);
    this.collectFill = 0;
    if (size === 0) this.endBody();
    else this.state = State.Body;
  }

  private endBody(): void {
    const data = this.collect;
    this.collect = undefined;
    this.state = this.padding > 0 ? State.Padding : State.Header;
    if (!data) return;
    switch (this.kind) {
      case BodyKind.Collect:
        this.sink.body(this.current as TarHeader, data);
        break;
      case BodyKind.LongName:
        this.longName = cstring(data, 0, data.length);
        break;
      case BodyKind.LongLink:
        this.longLink = cstring(data, 0, data.length);
        break;
      case BodyKind.Pax: {
        const rec: Record<string, string> = { ...this.paxGlobal };
        parsePax(data, rec);
        this.pax = rec;
        break;
      }
      case BodyKind.PaxGlobal: {
        const rec: Record<string, string> = {};
        parsePax(data, rec);
        this.paxGlobal = rec;
        break;
      }
      case BodyKind.Skip:
        break;
    }
  }
}
