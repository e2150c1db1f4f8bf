import type { FileProblem, Package, Unknown } from '../core/package.js';

/** Read-only access to other files of the same tree (a directory or an image), for extractors that need siblings. */
export interface TreeReader {
  /** Path relative to the tree root, forward slashes. Undefined when the file does not exist or cannot be read. */
  read(path: string): Promise<Uint8Array | undefined>;
}

export interface ExtractInput {
  /** Path relative to the tree root, forward slashes. */
  path: string;
  content: Uint8Array;
  tree: TreeReader;
}

/**
 * Positional reads of one file, for extractors of large files of which they need only parts (executables,
 * archives). The core provides it over a file handle (directories, hosts) or over bytes already in memory (a file
 * streamed out of an image layer); an extractor never opens files itself.
 */
export interface RandomAccessFile {
  /** Bytes in the file. */
  readonly size: number;
  /** The bytes at [offset, offset + length), fewer only where the file ends. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface RandomAccessInput {
  /** Path relative to the tree root, forward slashes. */
  path: string;
  file: RandomAccessFile;
  tree: TreeReader;
}

export interface ExtractOutput {
  packages: Package[];
  unknowns?: Unknown[];
  /** Partial problems inside a file that still yielded packages. A file that fails as a whole throws ParseError instead. */
  problems?: FileProblem[];
}

/**
 * An extractor says which files it wants (cheap, by name only) and parses what the core hands it.
 * It never opens files or calls the network itself.
 */
export interface Extractor {
  /** Stable path-like id: "lang/npm-lock", "os/dpkg". Recorded as Package.foundBy. */
  readonly id: string;
  /** Bumped whenever output for the same input may change; part of the layer-cache key. */
  readonly version: number;
  /** Cheap: basename / suffix checks on the relative path only. */
  required(path: string): boolean;
  /**
   * Optional, for the registry's index (`extractorIndex`): a necessary condition of `required` — it is false unless
   * the path's base name is one of `baseNames` or the path ends with one of `suffixes`. An extractor without it is
   * asked about every path.
   */
  readonly candidates?: { readonly baseNames?: readonly string[]; readonly suffixes?: readonly string[] };
  extract(input: ExtractInput): Promise<ExtractOutput> | ExtractOutput;
  /**
   * Optional, for large files of which only parts are read: the same extraction over positional reads. A source
   * that can read files positionally (a directory, a host) calls this instead of `extract` when every extractor
   * wanting a file has it, so that a 100 MB executable is never held in memory. For the same bytes it must give
   * what `extract` gives (implementations make `extract` call it over the bytes: `bytesFile()` in extract/util).
   */
  extractFrom?(input: RandomAccessInput): Promise<ExtractOutput>;
  /**
   * Optional, with `extractFrom`: byte strings (latin1) of which a file must contain at least one for this extractor
   * to find packages or unknowns in it, or to report it as unreadable (packed, undecodable). A source that streams a
   * file's bytes by (a compressed layer) scans for them and passes over the file, unparsed, when every extractor
   * wanting it has needles and none of them is in it. Only a damaged header of a file that could not hold what the
   * extractor reads anyway may go unreported that way (see the extractors' own notes).
   */
  readonly needles?: readonly string[];
}
