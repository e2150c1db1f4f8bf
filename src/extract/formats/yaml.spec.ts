/**
 * The YAML nesting check against the library it guards: text the check lets through must not run the
 * `yaml` parser out of stack, and real shapes (flow collections over several lines) must still pass.
 */
import { describe, expect, it } from 'vitest';
import { FormatError } from './error.js';
import { checkYamlNesting, parseYamlDocuments } from './yaml.js';

const DEEP = '- '.repeat(3000);

describe('YAML nesting', () => {
  it.each([
    // found by the fuzz test (a pnpm-lock.yaml cut inside `resolution: {integrity: …}`): the lexer ends the
    // open flow at the next less indented line and parses the rest as block content
    ['a flow left open, then deep block sequences at column 0', `a:\n  b: {x: 1\nc: 1\n${DEEP}x\n`],
    ['a flow left open, then deep block sequences at its own indentation', `a:\n  b: {x: 1\n  ${DEEP}x\n`],
    ['a flow left open, then a document marker', `a: [1,\n---\n${DEEP}x\n`],
    ['deep block sequences', `a:\n${DEEP}x\n`],
  ])('%s: refused as too deep', (_name, text) => {
    expect(() => checkYamlNesting(text)).toThrow(FormatError);
    expect(() => parseYamlDocuments(text)).toThrow('invalid YAML: nesting deeper than 256 levels');
  });

  it.each([
    ['a flow over several lines, closed at the indentation of its key', 'a:\n  b: {x: 1,\n    y: 2\n  }\nc: 1\n'],
    ['a flow sequence over several lines', 'a: [1,\n  2,\n  3]\nb: 2\n'],
    ['255 compact sequence levels', `${'- '.repeat(255)}x\n`],
  ])('%s: parsed', (_name, text) => {
    expect(() => checkYamlNesting(text)).not.toThrow();
    expect(parseYamlDocuments(text)).toHaveLength(1);
  });
});
