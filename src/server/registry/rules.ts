import { UsageError } from '../../core/errors.js';

/** Repository glob -> project: `*` matches within one path segment, `**` across segments, `?` one character. */
export interface ProjectRule {
  glob: string;
  project: string;
}

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Parses `GLOB=PROJECT` (the CLI's --project-rule). */
export function parseProjectRule(text: string): ProjectRule {
  const eq = text.lastIndexOf('=');
  const glob = eq > 0 ? text.slice(0, eq).trim() : '';
  const project = eq > 0 ? text.slice(eq + 1).trim() : '';
  if (!glob || !project) throw new UsageError(`--project-rule ${JSON.stringify(text)}: expected GLOB=PROJECT, e.g. 'team-a/**=team-a-images'`);
  checkRule({ glob, project });
  return { glob, project };
}

export function checkRule(r: ProjectRule): void {
  if (!PROJECT_NAME.test(r.project)) throw new UsageError(`project rule ${r.glob}=${r.project}: not a valid project name`);
  if (r.glob.length > 256 || /[\s\\]/.test(r.glob)) throw new UsageError(`project rule ${r.glob}: a glob is at most 256 characters, without spaces or backslashes`);
}

function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` also matches no segment at all
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i++;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The project of a repository: the first rule whose glob matches it, else undefined (the image is not scanned). */
export function projectFor(rules: readonly ProjectRule[], repository: string): string | undefined {
  return rules.find((r) => globRegExp(r.glob).test(repository))?.project;
}
