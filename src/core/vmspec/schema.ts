/**
 * Shapes and types: the JSON Schemas of schemas/, compiled to code at build
 * time (scripts/gen-validators.js), and their errors as report entries.
 */
import { ReportBuilder, show } from './report';

/** The parts of an ajv error (verbose mode) the report uses. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  data?: unknown;
  parentSchema?: { minimum?: number; maximum?: number };
}
interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generated = require('../../generated/vmspec-validators') as Record<'validateCreate' | 'validateUpdate', GeneratedValidator>;

export type Action = 'create' | 'update';

/** Lists of objects keep their index in names (`nics.0.ips`); lists of scalars do not. */
const OBJECT_LISTS = new Set([
  'nics', 'add_nics', 'update_nics', 'disks', 'add_disks', 'update_disks', 'filesystems', 'add_filesystems', 'update_filesystems', 'pci_devices',
]);

/** `/nics/0/ips/1` -> `nics.0.ips`; `/routes/10.2.0.0~116` -> `routes.10.2.0.0/16`. */
function dottedName(pointer: string, extra?: string): string {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return nameOf(parts);
}

/** The report name of a path of keys: `['nics', '0', 'ips', '1']` -> `nics.0.ips`. */
export function nameOf(parts: string[]): string {
  const n = parts.length;
  if (n >= 2 && /^\d+$/.test(parts[n - 1]) && !OBJECT_LISTS.has(parts[n - 2])) parts = parts.slice(0, -1);
  return parts.join('.');
}

const ARTICLE: Record<string, string> = {
  integer: 'an integer', array: 'an array', object: 'an object', string: 'a string',
  boolean: 'a boolean (true or false)', number: 'a number', 'string,number,boolean': 'a string, number or boolean',
  'boolean,string,integer': 'true or false',
};

function range(e: SchemaError): string {
  const { minimum, maximum } = e.parentSchema ?? {};
  if (minimum !== undefined && maximum !== undefined) return `is out of range (${minimum} to ${maximum})`;
  return minimum !== undefined ? `is below the minimum ${minimum}` : `is above the maximum ${maximum}`;
}

function addError(report: ReportBuilder, e: SchemaError, action: Action): void {
  const value = show(e.data);
  switch (e.keyword) {
    case 'required':
      report.missing(dottedName(e.instancePath, String(e.params.missingProperty)), 'is required');
      return;
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const prop = String(e.params.additionalProperty ?? e.params.unevaluatedProperty);
      report.badProperty(dottedName(e.instancePath, prop), `is not a property vmadm ${action} accepts here`);
      return;
    }
    case 'false schema':
      report.badProperty(dottedName(e.instancePath), `cannot be given to vmadm ${action}`);
      return;
    case 'type': {
      const type = String(e.params.type);
      report.badValue(dottedName(e.instancePath), `${value} is not ${ARTICLE[type] ?? type}`);
      return;
    }
    case 'minimum':
    case 'maximum':
      report.badValue(dottedName(e.instancePath), `${value} ${range(e)}`);
      return;
    case 'enum':
      report.badValue(dottedName(e.instancePath), `${value} is not one of ${(e.params.allowedValues as unknown[]).join(', ')}`);
      return;
    case 'maxItems':
      report.badValue(dottedName(e.instancePath), `has ${(e.data as unknown[]).length} items, at most ${String(e.params.limit)} are allowed`);
      return;
    default:
      report.badValue(dottedName(e.instancePath), `${value} is invalid (${e.keyword})`);
  }
}

/** Check shapes and types, reporting every problem; true when there is none. */
export function checkSchema(payload: object, action: Action, report: ReportBuilder): boolean {
  const validator = action === 'create' ? generated.validateCreate : generated.validateUpdate;
  if (validator(payload)) return true;
  for (const e of validator.errors ?? []) addError(report, e, action);
  return false;
}
