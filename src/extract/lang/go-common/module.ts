export const GO_ECOSYSTEM = 'Go';

/** A replacement target that is a directory on disk (./x, ../x, /abs, C:\x), not a module. */
export function isLocalPath(p: string): boolean {
  return p.startsWith('./') || p.startsWith('../') || p.startsWith('/') || p === '.' || p === '..' || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('.\\') || p.startsWith('..\\');
}
