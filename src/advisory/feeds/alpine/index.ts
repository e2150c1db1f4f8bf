export type { AlpineSecdbResult, AlpineSecdbStats, SecfixEntry } from './secdb.js';
export { parseAlpineSecdb, parseSecfixEntry } from './secdb.js';
