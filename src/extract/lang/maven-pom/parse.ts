/**
 * pom.xml → a raw model (nothing interpolated, nothing inherited). Pure.
 * XML syntax by fast-xml-parser (through lang-b-common/xml); the POM semantics are ours.
 */
import { child, children, childText, localName, parseXml } from '../../formats/xml.js';
import type { XmlElement } from '../../formats/xml.js';
import { FormatError } from '../../formats/error.js';

export interface PomDependency {
  groupId?: string;
  artifactId?: string;
  version?: string;
  scope?: string;
  type?: string;
  classifier?: string;
  optional?: boolean;
  line?: number;
}

export interface PomParent {
  groupId?: string;
  artifactId?: string;
  version?: string;
  /** As written; undefined when the element is absent (Maven's default is ../pom.xml), '' when empty (no local parent). */
  relativePath?: string;
}

export interface PomModel {
  groupId?: string;
  artifactId?: string;
  version?: string;
  packaging?: string;
  parent?: PomParent;
  properties: Map<string, string>;
  dependencies: PomDependency[];
  dependencyManagement: PomDependency[];
  modules: string[];
}

export function parsePom(text: string): PomModel {
  const root = parseXml(text);
  if (localName(root) !== 'project') throw new FormatError(`root element is <${root.name}>, not <project>`);
  const model: PomModel = {
    properties: new Map(),
    dependencies: children(child(root, 'dependencies'), 'dependency').map(readDependency),
    dependencyManagement: children(child(child(root, 'dependencyManagement'), 'dependencies'), 'dependency').map(readDependency),
    modules: children(child(root, 'modules'), 'module').map((m) => m.text).filter((m) => m !== ''),
  };
  const set = <K extends 'groupId' | 'artifactId' | 'version' | 'packaging'>(k: K) => {
    const v = childText(root, k);
    if (v !== undefined) model[k] = v;
  };
  set('groupId');
  set('artifactId');
  set('version');
  set('packaging');
  const parentEl = child(root, 'parent');
  if (parentEl) {
    const parent: PomParent = {};
    for (const k of ['groupId', 'artifactId', 'version'] as const) {
      const v = childText(parentEl, k);
      if (v !== undefined) parent[k] = v;
    }
    const rel = child(parentEl, 'relativePath');
    if (rel) parent.relativePath = rel.text;
    model.parent = parent;
  }
  for (const p of child(root, 'properties')?.children ?? []) model.properties.set(localName(p), p.text);
  return model;
}

function readDependency(el: XmlElement): PomDependency {
  const d: PomDependency = {};
  for (const k of ['groupId', 'artifactId', 'version', 'scope', 'type', 'classifier'] as const) {
    const v = childText(el, k);
    if (v !== undefined) d[k] = v;
  }
  if (childText(el, 'optional') === 'true') d.optional = true;
  if (el.line !== undefined) d.line = el.line;
  return d;
}
