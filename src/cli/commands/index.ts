import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** A top-level CLI command. Each module exports one; the list below is the registry. */
export interface CliCommand {
  readonly name: string;
  register(program: Command, context: () => CliContext): void;
}

import { dbCommand } from './db.js';
import { versionCommand } from './version.js';
import { scanCommand } from './scan.js';
import { serverCommand } from './server.js';
import { uploadCommand } from './upload.js';
import { profileCommand } from './profile.js';

export const COMMANDS: readonly CliCommand[] = [dbCommand, scanCommand, versionCommand, serverCommand, uploadCommand, profileCommand];
