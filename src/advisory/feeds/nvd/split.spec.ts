import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordSplitError, splitNvdRecords } from './split.js';

async function split(text: string, chunkSize = 1 << 20): Promise<string[]> {
  const buf = Buffer.from(text);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < buf.length; i += chunkSize) yield buf.subarray(i, i + chunkSize);
  }
  const out: string[] = [];
  for await (const r of splitNvdRecords(chunks())) out.push(r);
  return out;
}

const page = (records: unknown[], before = '"resultsPerPage":1,"format":"NVD_CVE",', after = ''): string =>
  `{${before}"vulnerabilities":[${records.map((r) => JSON.stringify(r)).join(',\n')}]${after}}`;

describe('splitNvdRecords', () => {
  it('yields each record as its own JSON text, whatever the chunking, with braces, quotes and UTF-8 inside strings', async () => {
    const records = [
      { cve: { id: 'CVE-2020-0001', descriptions: [{ lang: 'en', value: 'a "}" and a \\ and ]{[' }] } },
      { cve: { id: 'CVE-2020-0002', descriptions: [{ lang: 'ja', value: 'ゼロデイ脆弱性 — "quoted"' }] } },
    ];
    const text = page(records, '"resultsPerPage":2,"note":"vulnerabilities are [here]",', ',"timestamp":"x"');
    for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
      expect((await split(text, size)).map((t) => JSON.parse(t) as unknown)).toEqual(records);
    }
  });

  it('finds the records when other keys come after them, and only under "vulnerabilities"', async () => {
    const text = `{"other":[{"cve":{"id":"NOT-ME"}}],"vulnerabilities":[{"cve":{"id":"CVE-1"}}],"totalResults":1}`;
    expect(await split(text)).toEqual(['{"cve":{"id":"CVE-1"}}']);
  });

  it('agrees with JSON.parse on generated pages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 5 }), fc.integer({ min: 1, max: 50 }), async (recs, size) => {
        const got = await split(page(recs), size);
        expect(got.map((t) => JSON.parse(t) as unknown)).toEqual(JSON.parse(JSON.stringify(recs)));
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['truncated inside a record', page([{ cve: { id: 'CVE-1' } }]).slice(0, 40), /truncated/],
    ['truncated inside a string', '{"vulnerabilities":[{"cve":{"id":"CVE-', /truncated/],
    ['not an object', '[{"cve":{}}]', /not one JSON object/],
    ['a record that is not an object', '{"vulnerabilities":[1]}', /between records/],
    ['a string record', '{"vulnerabilities":["x"]}', /string where a record should be/],
    ['a second document', '{"vulnerabilities":[]}{}', /not one JSON object/],
    ['an array record', '{"vulnerabilities":[[]]}', /not an object/],
    ['empty input', '', /truncated/],
  ])('refuses %s', async (_label, text, message) => {
    await expect(split(text, 5)).rejects.toThrow(RecordSplitError);
    await expect(split(text, 5)).rejects.toThrow(message);
  });
});
