/**
 * XML syntax for pom.xml, packages.config, Directory.Packages.props and the like: fast-xml-parser reads
 * the syntax; this turns its ordered output into a small element tree with 1-based start lines.
 *
 * Lines: fast-xml-parser gives no positions, so start tags are found again in the text, in
 * document order, with comments, CDATA and processing instructions blanked first.
 */
import type * as FastXml from 'fast-xml-parser';
import { lazyRequire } from '../../util/lazy.js';

const lib = lazyRequire<typeof FastXml>('fast-xml-parser');
import { FormatError, MAX_NESTING, tooDeep } from './error.js';
import { LineIndex } from './lines.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated direct text content, trimmed. */
  text: string;
  line?: number;
}

type Ordered = Record<string, unknown>;

export function parseXml(text: string): XmlElement {
  const valid = lib().XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (valid !== true) throw new FormatError(`invalid XML: ${valid.err.msg} (line ${valid.err.line}, col ${valid.err.col})`);
  const parser = new (lib().XMLParser)({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    allowBooleanAttributes: true,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: MAX_NESTING,
  });
  let ordered: Ordered[];
  try {
    ordered = parser.parse(text) as Ordered[];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/nested tags/i.test(message)) throw tooDeep('XML');
    throw new FormatError(`invalid XML: ${message}`);
  }
  const locator = new TagLocator(text);
  const roots: XmlElement[] = [];
  for (const node of ordered) {
    const el = convert(node, locator);
    if (el) roots.push(el);
  }
  if (roots.length !== 1 || !roots[0]) throw new FormatError(`expected one root element, found ${roots.length}`);
  return roots[0];
}

function convert(node: Ordered, locator: TagLocator): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name.startsWith('?') || name === '#comment') return undefined;
  const attrsRaw = (node[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrsRaw)) attrs[k] = String(v);
  const el: XmlElement = { name, attrs, children: [], text: '' };
  const line = locator.next(name);
  if (line !== undefined) el.line = line;
  const texts: string[] = [];
  for (const child of (node[name] ?? []) as Ordered[]) {
    if ('#text' in child) {
      texts.push(String(child['#text']));
      continue;
    }
    const c = convert(child, locator);
    if (c) el.children.push(c);
  }
  el.text = texts.join('').trim();
  return el;
}

class TagLocator {
  private readonly clean: string;
  private readonly index: LineIndex;
  private cursor = 0;
  constructor(text: string) {
    const blank = (m: string) => m.replace(/[^\n]/g, ' ');
    this.clean = text.replace(/<!--[\s\S]*?-->/g, blank).replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, blank).replace(/<\?[\s\S]*?\?>/g, blank);
    this.index = new LineIndex(text);
  }
  next(name: string): number | undefined {
    const re = new RegExp(`<${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[\\s/>])`, 'g');
    re.lastIndex = this.cursor;
    const m = re.exec(this.clean);
    if (!m) return undefined;
    this.cursor = m.index + 1;
    return this.index.line(m.index);
  }
}

/** Local name without a namespace prefix ("x:project" → "project"). */
export function localName(el: XmlElement): string {
  const i = el.name.indexOf(':');
  return i < 0 ? el.name : el.name.slice(i + 1);
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => localName(c) === name);
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => localName(c) === name) : [];
}

/** Text of a direct child element, undefined when absent or empty. */
export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const t = child(el, name)?.text;
  return t === undefined || t === '' ? undefined : t;
}

/** Attribute lookup that ignores the case of the attribute name (MSBuild is case-insensitive). */
export function attr(el: XmlElement, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(el.attrs)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Depth-first walk over all elements. */
export function* walk(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) yield* walk(c);
}
