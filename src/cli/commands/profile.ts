import fs from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { AdvisoryDbReader } from '../../advisory/store/reader.js';
import { databasePath } from '../../advisory/update.js';
import { formatProblem } from '../../policy/profile.js';
import { openProfileRepo } from '../../policy/profile-repo.js';
import type { AdvisoryLookup } from '../../policy/validate.js';
import { validateProfileRepo } from '../../policy/validate.js';
import type { CliContext } from '../context.js';
import { writeResult } from '../output.js';
import type { CliCommand } from './index.js';

export interface ProfileValidateOptions {
  format: 'text' | 'json';
  /** Exceptions expiring within this many days are warned about. */
  soonDays?: string;
  now?: Date;
}

/** `bulwark profile validate <repo>`: what a profile repository's own CI runs. Exit 1 on errors. */
export function runProfileValidate(ctx: CliContext, repoSpec: string, opts: ProfileValidateOptions): number {
  const repo = openProfileRepo(repoSpec);
  const dbFile = databasePath(ctx.cacheDir);
  let reader: AdvisoryDbReader | null = null;
  try {
    if (fs.existsSync(dbFile)) {
      try {
        reader = AdvisoryDbReader.open(dbFile);
      } catch (e) {
        ctx.log.warn(`cannot open the advisory database ${dbFile}: ${(e as Error).message}`);
      }
    }
    const db: AdvisoryLookup | null = reader;
    const soonDays = opts.soonDays !== undefined ? Number(opts.soonDays) : 30;
    const result = validateProfileRepo(repo.dir, { now: opts.now ?? new Date(), db, soonDays: Number.isFinite(soonDays) ? soonDays : 30 });
    if (opts.format === 'json') {
      writeResult(ctx, JSON.stringify({ repository: repoSpec, ...result }, null, 2));
    } else {
      const lines = result.problems.map(formatProblem);
      lines.push(`${result.files.length} profile file(s) checked: ${result.errors} error(s), ${result.warnings} warning(s)`);
      writeResult(ctx, lines.join('\n'));
    }
    return result.errors > 0 ? 1 : 0;
  } finally {
    reader?.close();
    repo.cleanup();
  }
}

export const profileCommand: CliCommand = {
  name: 'profile',
  register(program: Command, context) {
    const profile = program.command('profile').description('security profiles: gate settings and exceptions, kept in a profile repository');
    profile
      .command('validate')
      .description('check a profile repository (defaults.yaml, projects/*.yaml): schema, duplicates, expired and expiring exceptions, unknown ids')
      .argument('<repo>', 'profile repository: a directory or a git URL')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--soon-days <n>', 'warn about exceptions expiring within this many days', '30')
      .action((repo: string, opts: ProfileValidateOptions) => {
        process.exitCode = runProfileValidate(context(), repo, opts);
      });
  },
};
