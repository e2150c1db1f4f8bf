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
  extract(input: ExtractInput): Promise<ExtractOutput> | ExtractOutput;
}
