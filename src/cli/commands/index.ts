import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** A top-level CLI command. Each module exports one; the list below is the registry. */
export interface CliCommand {
  readonly name: string;
  register(program: Command, context: () => CliContext): void;
}

/**
 * The command registry: name → loader. Modules are imported only when their command runs (or for --help),
 * so `bulwark scan` does not pay for loading the server, and start-up stays short.
 */
export const COMMANDS: readonly { name: string; load: () => Promise<CliCommand> }[] = [
  { name: 'db', load: async () => (await import('./db.js')).dbCommand },
  { name: 'scan', load: async () => (await import('./scan.js')).scanCommand },
  { name: 'version', load: async () => (await import('./version.js')).versionCommand },
  { name: 'server', load: async () => (await import('./server.js')).serverCommand },
  { name: 'upload', load: async () => (await import('./upload.js')).uploadCommand },
  { name: 'profile', load: async () => (await import('./profile.js')).profileCommand },
  { name: 'convert', load: async () => (await import('./convert.js')).convertCommand },
  { name: 'export', load: async () => (await import('./export.js')).exportCommand },
  { name: 'registry', load: async () => (await import('./registry.js')).registryCommand },
  { name: 'worker', load: async () => (await import('./worker.js')).workerCommand },
  { name: 'k8s', load: async () => (await import('./k8s.js')).k8sCommand },
  { name: 'channel', load: async () => (await import('./channel.js')).channelCommand },
];
