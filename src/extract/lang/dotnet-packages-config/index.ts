/**
 * Extractor for NuGet `packages.config` (classic .NET Framework projects).
 * `developmentDependency="true"` → dev (the peer drops those; we keep them, flagged).
 * packages.config lists every installed package flat, so direct is not known.
 */
import { ParseError } from '../../../core/errors.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { nugetPurl } from '../../../core/purl.js';
import { PackageSet } from '../../util/package-set.js';
import { XmlSyntaxError } from '../../formats/xml.js';
import { PackagesConfigError, parsePackagesConfig } from './parse.js';

export const ID = 'lang/dotnet-packages-config';

export const dotnetPackagesConfigExtractor: Extractor = {
  id: ID,
  version: 1,
  required(path: string): boolean {
    return baseName(path) === 'packages.config';
  },
  extract(input: ExtractInput): ExtractOutput {
    let parsed;
    try {
      parsed = parsePackagesConfig(decodeText(input.content));
    } catch (e) {
      if (e instanceof XmlSyntaxError || e instanceof PackagesConfigError) throw new ParseError(input.path, e.message, { cause: e });
      throw e;
    }
    const set = new PackageSet('NuGet', ID, input.path);
    for (const d of parsed.dropped) set.problem(`dropped ${d}`);
    for (const e of parsed.entries) {
      set.add({ name: e.id, version: e.version, purl: nugetPurl(e.id, e.version), dev: e.dev, ...(e.line !== undefined ? { line: e.line } : {}) });
    }
    return set.output();
  },
};
