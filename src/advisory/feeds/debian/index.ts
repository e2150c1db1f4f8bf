export type { ParseProblem } from './parse-problem.js';
export { isParseProblem } from './parse-problem.js';
export { DEBIAN_CODENAMES, debianCodenameToVersion, debianEcosystem } from './releases.js';
export { debianUrgencyAssessment, debianUrgencyToSeverity, normalizeUrgency } from './urgency.js';
export type { DebianTrackerOptions, DebianTrackerStats, TrackerJsonInput } from './tracker-json.js';
export { convertTrackerPackage, emptyDebianTrackerStats, parseDebianTrackerJson, parseDebianTrackerJsonAll } from './tracker-json.js';
export type { DebianAdvisoryKind, DebianAdvisoryListResult, DebianAdvisoryListStats } from './advisory-list.js';
export { parseDebianAdvisoryList, parseListDate } from './advisory-list.js';
