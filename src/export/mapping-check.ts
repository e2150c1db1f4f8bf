/**
 * Checks a document against index mappings the way Elasticsearch would index it with `dynamic: strict`:
 * every field must be mapped, and its value must fit the mapped type. There is no Elasticsearch on the
 * build machines, so this is how the exported documents are held to the shipped index template.
 */
type Mapping = { type?: string; properties?: Record<string, Mapping>; dynamic?: string | boolean; ignore_above?: number };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asMapping(v: unknown): Mapping {
  return isObject(v) ? (v as Mapping) : {};
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function checkLeaf(pathName: string, type: string, value: unknown, m: Mapping, errors: string[]): void {
  const fail = (what: string): void => {
    errors.push(`${pathName}: ${JSON.stringify(value)} is not ${what} (mapped as ${type})`);
  };
  switch (type) {
    case 'keyword':
      if (typeof value !== 'string') fail('a string');
      else if (m.ignore_above !== undefined && value.length > m.ignore_above) errors.push(`${pathName}: ${value.length} characters, above ignore_above ${m.ignore_above} (not searchable)`);
      return;
    case 'text':
    case 'match_only_text':
      if (typeof value !== 'string') fail('a string');
      return;
    case 'date':
      if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) fail('an ISO 8601 date');
      return;
    case 'float':
    case 'double':
    case 'half_float':
    case 'scaled_float':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('a number');
      return;
    case 'long':
    case 'integer':
    case 'short':
    case 'byte':
      if (typeof value !== 'number' || !Number.isInteger(value)) fail('an integer');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail('a boolean');
      return;
    default:
      errors.push(`${pathName}: mapped as ${type}, which this check does not know`);
  }
}

function checkValue(pathName: string, value: unknown, m: Mapping, errors: string[]): void {
  if (value === null) return; // null indexes nothing, for every type
  if (Array.isArray(value)) {
    for (const v of value) {
      if (Array.isArray(v)) errors.push(`${pathName}: nested arrays are not indexable`);
      else checkValue(pathName, v, m, errors);
    }
    return;
  }
  if (m.properties !== undefined || m.type === 'object' || (m.type === undefined && isObject(value))) {
    if (!isObject(value)) {
      errors.push(`${pathName}: ${JSON.stringify(value)} is not an object (mapped as an object)`);
      return;
    }
    checkObject(pathName, value, m, errors);
    return;
  }
  if (!m.type) {
    errors.push(`${pathName}: the mapping gives no type`);
    return;
  }
  checkLeaf(pathName, m.type, value, m, errors);
}

function checkObject(prefix: string, obj: Record<string, unknown>, m: Mapping, errors: string[]): void {
  const props = m.properties ?? {};
  for (const [key, value] of Object.entries(obj)) {
    const name = prefix ? `${prefix}.${key}` : key;
    const child = props[key];
    if (child === undefined) {
      errors.push(`${name}: not in the mappings (dynamic: strict rejects the document)`);
      continue;
    }
    checkValue(name, value, asMapping(child), errors);
  }
}

/** Errors, empty when the document fits. `mappings` is the template's `template.mappings`. */
export function checkAgainstMappings(doc: Record<string, unknown>, mappings: unknown): string[] {
  const errors: string[] = [];
  const m = asMapping(mappings);
  if (!isObject(m.properties)) return ['the mappings have no properties'];
  checkObject('', doc, m, errors);
  return errors;
}

/** The mappings of a composable index template (`{index_patterns, template: {mappings}}`). */
export function templateMappings(template: unknown): unknown {
  if (!isObject(template) || !isObject(template.template) || !isObject(template.template.mappings)) throw new Error('not a composable index template: template.mappings is missing');
  return template.template.mappings;
}

/** Whether an index name matches one of the template's index_patterns (`*` wildcards). */
export function indexMatchesTemplate(index: string, template: unknown): boolean {
  const patterns = isObject(template) && Array.isArray(template.index_patterns) ? template.index_patterns.filter((p): p is string => typeof p === 'string') : [];
  return patterns.some((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(index));
}
