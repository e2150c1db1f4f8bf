/**
 * Maven versions, ordered as Maven 3.9's ComparableVersion (maven-artifact 3.9.6): items separated by '.' and
 * '-' ('-' opens a nested list), transitions between digits and letters separate too (and open a list);
 * a trailing ".X" qualifier reads as "-X"; qualifiers order
 * alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < any other (lexical);
 * trailing zero/empty items are dropped, so 1 = 1.0 = 1-0 = 1.ga.
 */
import { compareDigits, compareStrings, defineScheme, stripZeros } from '../util.js';

type Item = IntItem | StringItem | ListItem;
interface IntItem {
  k: 'int';
  v: string;
}
interface StringItem {
  k: 'str';
  v: string;
}
interface ListItem {
  k: 'list';
  items: Item[];
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_QUALIFIERS = new Set(['ga', 'final', 'release']);
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function stringItem(value: string, followedByDigit: boolean): StringItem {
  let v = value;
  if (followedByDigit && v.length === 1) {
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  if (v === 'cr') v = 'rc';
  return { k: 'str', v };
}

function comparableQualifier(q: string): string {
  if (RELEASE_QUALIFIERS.has(q)) return RELEASE_INDEX;
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(item: Item): boolean {
  switch (item.k) {
    case 'int':
      return item.v === '0';
    case 'str':
      return comparableQualifier(item.v) === RELEASE_INDEX;
    case 'list':
      return item.items.length === 0;
  }
}

function cmpItem(a: Item, b: Item | null): number {
  switch (a.k) {
    case 'int':
      if (b === null) return a.v === '0' ? 0 : 1;
      if (b.k === 'int') return compareDigits(a.v, b.v);
      return 1;
    case 'str':
      if (b === null) return compareStrings(comparableQualifier(a.v), RELEASE_INDEX);
      if (b.k === 'int') return -1;
      if (b.k === 'str') return compareStrings(comparableQualifier(a.v), comparableQualifier(b.v));
      return -1;
    case 'list': {
      if (b === null) {
        for (const i of a.items) {
          const r = cmpItem(i, null);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.k === 'int') return -1;
      if (b.k === 'str') return 1;
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const l = a.items[i] ?? null;
        const r = b.items[i] ?? null;
        const c = l === null ? (r === null ? 0 : -1 * cmpItem(r, l)) : cmpItem(l, r);
        if (c !== 0) return c;
      }
      return 0;
    }
  }
}

function parseItem(isDigit: boolean, buf: string): Item {
  if (isDigit) return { k: 'int', v: stripZeros(buf) };
  return stringItem(buf, false);
}

function normalize(list: ListItem): void {
  const xs = list.items;
  for (let i = xs.length - 1; i >= 0; i--) {
    const last = xs[i]!;
    if (isNull(last)) {
      if (i === xs.length - 1 || xs[i + 1]!.k === 'str') {
        xs.splice(i, 1);
      } else if (xs[i + 1]!.k === 'list') {
        const first = (xs[i + 1] as ListItem).items[0];
        if (first && first.k === 'str') xs.splice(i, 1);
      }
    }
  }
}

const isDigitChar = (c: string): boolean => c >= '0' && c <= '9';

export function parseMaven(input: string): ListItem | string {
  const version = input.trim().toLowerCase();
  if (version === '') return 'empty version';
  if (/\s/.test(version)) return 'embedded whitespace';
  const root: ListItem = { k: 'list', items: [] };
  let list = root;
  const stack: ListItem[] = [root];
  let isDigit = false;
  let start = 0;
  const open = (): void => {
    const l: ListItem = { k: 'list', items: [] };
    list.items.push(l);
    list = l;
    stack.push(l);
  };
  for (let i = 0; i < version.length; i++) {
    const c = version[i]!;
    if (c === '.') {
      list.items.push(i === start ? { k: 'int', v: '0' } : parseItem(isDigit, version.slice(start, i)));
      start = i + 1;
    } else if (c === '-') {
      list.items.push(i === start ? { k: 'int', v: '0' } : parseItem(isDigit, version.slice(start, i)));
      start = i + 1;
      open();
    } else if (isDigitChar(c)) {
      if (!isDigit && i > start) {
        // a letter run followed by a digit: "a1" is alpha-1, "m2" milestone-2
        list.items.push(stringItem(version.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, version.slice(start, i)));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (version.length > start) {
    if (!isDigit && list.items.length > 0) open();
    list.items.push(parseItem(isDigit, version.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop()!);
  return root;
}

export function compareMaven(a: ListItem, b: ListItem): number {
  return cmpItem(a, b);
}

export const mavenScheme = defineScheme('maven', parseMaven, compareMaven);
