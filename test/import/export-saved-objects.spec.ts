import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexMatchesTemplate, templateMappings } from '../../src/export/mapping-check.js';
import { REPO_ROOT } from '../support/shared.js';

/**
 * docs/elastic/saved-objects.ndjson (Kibana / OpenSearch Dashboards import): every line a saved object,
 * every reference resolves, every data view matches the index template, and every field an aggregation uses
 * is mapped with an aggregatable type. (No Kibana here: this is the check that the file fits the template.)
 */
const TEMPLATE: unknown = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs/elastic/index-template.json'), 'utf8'));
const objects = fs
  .readFileSync(path.join(REPO_ROOT, 'docs/elastic/saved-objects.ndjson'), 'utf8')
  .trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; type: string; attributes: Record<string, unknown>; references: { name: string; type: string; id: string }[] });

function fieldType(field: string): string | undefined {
  let m: unknown = templateMappings(TEMPLATE);
  for (const part of field.split('.')) {
    const props = (m as { properties?: Record<string, unknown> }).properties;
    if (!props || !(part in props)) return undefined;
    m = props[part];
  }
  return (m as { type?: string }).type;
}

describe('the Kibana / OpenSearch Dashboards saved objects', () => {
  it('has unique ids, resolving references and the seed views', () => {
    const ids = objects.map((o) => `${o.type}:${o.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of objects) for (const r of o.references) expect(ids, `${o.id} → ${r.type}:${r.id}`).toContain(`${r.type}:${r.id}`);
    const titles = objects.map((o) => String(o.attributes.title));
    for (const t of ['by severity over time', 'top vulnerable images', 'top vulnerable packages', 'per team']) expect(titles.some((x) => x.includes(t))).toBe(true);
    const dashboard = objects.find((o) => o.type === 'dashboard')!;
    const panels = JSON.parse(String(dashboard.attributes.panelsJSON)) as { panelRefName: string }[];
    expect(panels.map((p) => p.panelRefName).sort()).toEqual(dashboard.references.map((r) => r.name).sort());
  });

  it('uses data views that match the index template and fields it maps as aggregatable', () => {
    for (const o of objects.filter((x) => x.type === 'index-pattern')) {
      const title = String(o.attributes.title);
      expect(indexMatchesTemplate(title.replace('*', '2026.01.01'), TEMPLATE), title).toBe(true);
      expect(fieldType(String(o.attributes.timeFieldName))).toBe('date');
    }
    for (const o of objects.filter((x) => x.type === 'visualization')) {
      const vis = JSON.parse(String(o.attributes.visState)) as { aggs: { type: string; params: { field?: string } }[] };
      for (const a of vis.aggs) {
        if (!a.params.field) continue;
        const type = fieldType(a.params.field);
        expect(['keyword', 'date', 'long', 'float', 'boolean'], `${o.id}: ${a.params.field}`).toContain(type);
      }
      const search = JSON.parse(String((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON)) as { query: { query: string } };
      for (const m of search.query.query.matchAll(/([a-z_.@]+):/g)) expect(fieldType(m[1]!), `${o.id}: ${m[1]}`).toBeDefined();
    }
  });
});
