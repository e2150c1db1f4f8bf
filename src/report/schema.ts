import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

import { readPackageJson } from '../util/package-root.js';

/** The committed JSON Schema of the scan report (schemas/report.schema.json). */
export const REPORT_SCHEMA = readPackageJson<Record<string, unknown>>('schemas/report.schema.json');

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    validator = ajv.compile(REPORT_SCHEMA);
  }
  return validator;
}

/** Validates a report against the schema; returns readable errors (empty when valid). */
export function validateReport(report: unknown): string[] {
  const validate = compile();
  if (validate(report)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}
