import crypto from 'node:crypto';

/** The stable identity of a finding across scans and refreshes: (project, target, advisory, package, version). */
export function findingFingerprint(projectId: number, target: string, advisoryId: string, ecosystem: string, name: string, version: string): string {
  return crypto.createHash('sha256').update(JSON.stringify([projectId, target, advisoryId, ecosystem, name, version])).digest('hex');
}
