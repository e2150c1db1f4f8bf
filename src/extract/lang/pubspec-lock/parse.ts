/**
 * Dart/Flutter `pubspec.lock` → records. Pure. YAML syntax by the `yaml` package.
 * `packages: { <name>: { dependency: "direct main" | "direct dev" | "direct overridden" | transitive,
 *   source: hosted | git | path | sdk, version: "1.2.3", description } }, sdks: { dart, flutter }`.
 */
import { newLineCounter, parseYamlDocument, yaml } from '../../formats/yaml.js';
import { FormatError } from '../../formats/error.js';

export interface PubPackage {
  name: string;
  version: string;
  dependency: string;
  source: string;
  line?: number;
}

export function parsePubspecLock(text: string): { packages: PubPackage[]; dropped: string[] } {
  const { isMap, isScalar } = yaml();
  const lineCounter = newLineCounter();
  const doc = parseYamlDocument(text, { lineCounter, uniqueKeys: false });
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { packages: [], dropped: [] };
  if (!isMap(root)) throw new FormatError('top level is not a mapping');
  const pkgs = root.get('packages', true);
  const out: PubPackage[] = [];
  const dropped: string[] = [];
  if (pkgs === undefined || pkgs === null || (isScalar(pkgs) && pkgs.value === null)) return { packages: out, dropped };
  if (!isMap(pkgs)) throw new FormatError('`packages` is not a mapping');
  for (const item of pkgs.items) {
    const name = isScalar(item.key) ? String(item.key.value) : undefined;
    const v = item.value;
    if (!name || !isMap(v)) {
      dropped.push(`packages entry ${name ?? '?'}: not a mapping`);
      continue;
    }
    const get = (k: string): string | undefined => {
      const x = v.get(k);
      return x === undefined || x === null ? undefined : String(x);
    };
    const version = get('version');
    if (!version) {
      dropped.push(`packages.${name}: no version`);
      continue;
    }
    const p: PubPackage = { name, version, dependency: get('dependency') ?? '', source: get('source') ?? '' };
    const range = isScalar(item.key) ? item.key.range : undefined;
    if (range) p.line = lineCounter.linePos(range[0]).line;
    out.push(p);
  }
  return { packages: out, dropped };
}
