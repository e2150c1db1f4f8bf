export { MountTable, PSEUDO_FS_TYPES, isPseudoFs, parseMountinfo } from './mountinfo.js';
export type { MountEntry } from './mountinfo.js';
export { NO_SKIP, skipRules, splitList } from './skip.js';
export type { SkipRules } from './skip.js';
export { NotRegularFileError, openHostRoot, openRegularFile, readRegularFile, walkHost } from './walk.js';
export type { HostEntry, HostWalkOptions, HostWalkProblem, HostWalkSkip, WalkProgress } from './walk.js';
