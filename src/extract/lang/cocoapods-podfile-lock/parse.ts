/**
 * CocoaPods `Podfile.lock` → records. Pure. YAML syntax by the `yaml` package.
 * `PODS:` lists `- Name (1.2.3)` or `- Name/Subspec (1.2.3):` with its requirements below;
 * `DEPENDENCIES:` lists what the Podfile asks for (`- Name (~> 1.0)`, `- Name (from \`../x\`)`).
 */
import { newLineCounter, parseYamlDocument, yaml as lib } from '../../formats/yaml.js';
import type { Node } from 'yaml';
import { FormatError } from '../../formats/error.js';

export interface PodEntry {
  /** As written, with any subspec ("AppCenter/Analytics"). */
  spec: string;
  /** The pod: the part before the first '/'. */
  pod: string;
  version: string;
  line?: number;
}

export function parsePodfileLock(text: string): { pods: PodEntry[]; direct: Set<string>; dropped: string[] } {
  const lineCounter = newLineCounter();
  const doc = parseYamlDocument(text, { lineCounter });
  const root = doc.contents;
  const out = { pods: [] as PodEntry[], direct: new Set<string>(), dropped: [] as string[] };
  if (root === null) return out;
  if (!lib().isMap(root)) throw new FormatError('top level is not a mapping');
  const line = (n: Node | null | undefined): number | undefined => (n?.range ? lineCounter.linePos(n.range[0]).line : undefined);

  const pods = root.get('PODS', true);
  if (lib().isSeq(pods)) {
    for (const item of pods.items) {
      // `- Name (1.0)` is a scalar; `- Name (1.0):` with requirements is a one-key map.
      const keyNode = lib().isMap(item) ? item.items[0]?.key : item;
      const text = lib().isScalar(keyNode) ? String(keyNode.value) : undefined;
      const m = text === undefined ? null : /^(\S+) \(([^)\s]+)\)$/.exec(text.trim());
      if (!m || m[1] === undefined || m[2] === undefined) {
        out.dropped.push(`PODS entry ${JSON.stringify(text ?? '?')} at line ${line(item as Node) ?? '?'}: expected "Name (version)"`);
        continue;
      }
      const e: PodEntry = { spec: m[1], pod: m[1].split('/')[0] ?? m[1], version: m[2] };
      const l = line(keyNode as Node);
      if (l !== undefined) e.line = l;
      out.pods.push(e);
    }
  } else if (pods !== undefined && pods !== null) {
    throw new FormatError('PODS is not a list');
  }

  const deps = root.get('DEPENDENCIES', true);
  if (lib().isSeq(deps)) {
    for (const item of deps.items) {
      const t = lib().isScalar(item) ? String(item.value) : undefined;
      const name = t?.trim().split(/\s+/)[0];
      // A subspec asked for makes both it and its pod direct (the pod is what the Podfile pulls in).
      if (name) {
        out.direct.add(name);
        out.direct.add(name.split('/')[0] ?? name);
      }
    }
  }
  return out;
}
