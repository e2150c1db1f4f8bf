import { FileError } from '../core/errors.js';
import type { Unknown } from '../core/package.js';
import type { OsReport } from '../core/report.js';
import { assignDistro } from '../extract/os/distro.js';
import { OS_RELEASE_FILES, detectOs } from '../extract/os/release/index.js';
import { DEFAULT_EXTRACTORS } from '../extract/registry.js';
import type { Extractor } from '../extract/types.js';
import type { HostWalkOptions } from '../source/host/index.js';
import { decodeText } from '../extract/util/text.js';
import { directoryTreeReader, extractDirectory } from './directory.js';
import { mergePackages } from './packages.js';
import type { Inventory } from './scanner.js';

/**
 * A root filesystem on this machine (`rootfs:/`, an unpacked image directory): every extractor, OS packages
 * included, over one host walk (src/source/host). Unlike an image there are no layers to stack and nothing to
 * cache: files are read from disk when an extractor wants them (siblings too), so memory does not grow with the
 * number of files read.
 */
export async function inventoryOfHost(root: string, host: HostWalkOptions, extractors: readonly Extractor[] = DEFAULT_EXTRACTORS): Promise<Inventory> {
  const result = await extractDirectory(root, extractors, undefined, host);
  const rootProblem = result.errors.find((e) => e.path === '.' && e.code === 'BULWARK_E_IO');
  if (rootProblem) throw new FileError(root, rootProblem.message, { hint: 'check that the directory can be listed' });
  const tree = directoryTreeReader(root);
  const osFiles = new Map<string, string>();
  for (const p of OS_RELEASE_FILES) {
    // Read through the tree reader: etc/os-release is a symlink, followed only while it stays inside the root.
    const content = await tree.read(p);
    if (content !== undefined) osFiles.set(p, decodeText(content));
  }
  const osInfo = detectOs(osFiles);
  const unknowns: Unknown[] = [...result.unknowns];
  if (!osInfo && result.packages.some((p) => ['deb', 'apk', 'rpm'].includes(p.ecosystem))) {
    unknowns.push({ kind: 'os-not-covered', message: 'OS packages were found but no os-release or distro release file: the OS is unknown, so distro advisories cannot be matched' });
  }
  const os: OsReport | null = osInfo ? { family: osInfo.family, version: osInfo.version, name: osInfo.name } : null;
  return {
    target: { kind: 'rootfs', name: root },
    os,
    packages: mergePackages(assignDistro(result.packages, osInfo)),
    unknowns,
    errors: result.errors,
  };
}
