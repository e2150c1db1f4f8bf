import fs from 'node:fs';
import path from 'node:path';
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
  /** table (human lines; `text` is its former name) or json. */
  format: 'table' | 'text' | 'json';
  /** Exceptions expiring within this many days are warned about. */
  soonDays?: string;
  now?: Date;
}

/** A profile file named on the command line (not a repository): validated alone. */
function singleFile(spec: string): string | undefined {
  try {
    return fs.statSync(spec).isFile() ? path.resolve(spec) : undefined;
  } catch {
    return undefined;
  }
}

/** `bulwark profile validate <repo|file>`: what a profile repository's own CI runs. Exit 1 on errors. */
export function runProfileValidate(ctx: CliContext, repoSpec: string, opts: ProfileValidateOptions): number {
  const file = singleFile(repoSpec);
  const repo = file ? { dir: path.dirname(file), cleanup: () => {} } : openProfileRepo(repoSpec);
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
    const result = validateProfileRepo(repo.dir, {
      now: opts.now ?? new Date(),
      db,
      soonDays: Number.isFinite(soonDays) ? soonDays : 30,
      ...(file ? { file, display: (f: string) => (f === file ? repoSpec : path.relative(process.cwd(), f)) } : {}),
    });
    if (opts.format === 'json') {
      writeResult(ctx, JSON.stringify({ [file ? 'file' : 'repository']: repoSpec, ...result }, null, 2));
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
      .description('check a profile repository (defaults.yaml, projects/*.yaml) or one profile file: YAML syntax (file:line:column), schema, duplicates, expired and expiring exceptions, unknown ids')
      .argument('<repo|file>', 'profile repository (a directory or a git URL), or one profile YAML file')
      .addOption(new Option('--format <format>', 'output format (text is the former name of table)').choices(['table', 'json', 'text']).default('table'))
      .option('--soon-days <n>', 'warn about exceptions expiring within this many days', '30')
      .addHelpText('after', `
Examples:
  # the repository your CI reads profiles from
  $ bulwark profile validate ./security-profiles
  $ bulwark profile validate https://git.example.com/sec/profiles.git
  # one profile file, machine-readable
  $ bulwark profile validate bulwark-profile.yaml --format json

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 could not run.
`)
      .action((repo: string, opts: ProfileValidateOptions) => {
        process.exitCode = runProfileValidate(context(), repo, opts);
      });
  },
};
