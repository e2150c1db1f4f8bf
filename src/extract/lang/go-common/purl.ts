import { PackageURL } from 'packageurl-js';

export const GO_ECOSYSTEM = 'Go';

/** `pkg:golang/github.com/foo/bar@v1.2.3`. */
export function goPurl(module: string, version: string): string {
  const slash = module.lastIndexOf('/');
  const namespace = slash > 0 ? module.slice(0, slash) : null;
  const name = slash > 0 ? module.slice(slash + 1) : module;
  return new PackageURL('golang', namespace, name, version, null, null).toString();
}
