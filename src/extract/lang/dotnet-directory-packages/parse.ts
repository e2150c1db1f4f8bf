/**
 * MSBuild package pins → records. Pure.
 * Central package management (`Directory.Packages.props`): `<PackageVersion Include="X" Version="1.2.3"/>`,
 * plus `<GlobalPackageReference>`; the older `Packages.props` convention uses
 * `<PackageReference Update="X" Version="1.2.3"/>`. Names and versions may also be child elements.
 */
import { attr, child, localName, parseXml, walk } from '../../formats/xml.js';
import type { XmlElement } from '../../formats/xml.js';
import { FormatError } from '../../formats/error.js';

export interface PackagePin {
  name: string;
  /** As written, trimmed. May hold an MSBuild property (`$(X)`) or a NuGet range (`[1.0,2.0)`). */
  version: string;
  element: string;
  line?: number;
}

const ELEMENTS = new Set(['PackageVersion', 'PackageReference', 'GlobalPackageReference']);

export function parsePackagesProps(text: string): { pins: PackagePin[]; dropped: string[] } {
  const root = parseXml(text);
  if (localName(root) !== 'Project') throw new FormatError(`root element is <${root.name}>, not <Project>`);
  const pins: PackagePin[] = [];
  const dropped: string[] = [];
  for (const el of walk(root)) {
    const kind = localName(el);
    if (!ELEMENTS.has(kind)) continue;
    if (!inItemGroup(root, el)) continue;
    const name = (attr(el, 'Include') ?? attr(el, 'Update') ?? '').trim();
    const version = (attr(el, 'Version') ?? attr(el, 'VersionOverride') ?? child(el, 'Version')?.text ?? '').trim();
    if (name === '' || version === '') {
      dropped.push(`<${kind}> at line ${el.line ?? '?'} without ${name === '' ? 'Include/Update' : 'Version'}`);
      continue;
    }
    const pin: PackagePin = { name, version, element: kind };
    if (el.line !== undefined) pin.line = el.line;
    pins.push(pin);
  }
  return { pins, dropped };
}

/** MSBuild items only count inside an <ItemGroup> (directly under <Project>, or under <Choose>/<When>). */
function inItemGroup(root: XmlElement, target: XmlElement): boolean {
  const path: XmlElement[] = [];
  const find = (el: XmlElement): boolean => {
    path.push(el);
    if (el === target) return true;
    for (const c of el.children) if (find(c)) return true;
    path.pop();
    return false;
  };
  find(root);
  const parent = path[path.length - 2];
  return parent !== undefined && localName(parent) === 'ItemGroup';
}
