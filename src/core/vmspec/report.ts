/**
 * The validation report of docs/vm-network.md: which properties are bad and
 * why, in vmadm's dotted names (`nics.0.ips`, `routes.10.2.0.0/16`), plus
 * one human sentence per problem.
 */

/** What `vmadm validate -j` prints: only the keys that have entries. */
export interface ValidationReport {
  bad_brand?: string;
  bad_properties?: string[];
  bad_values?: string[];
  missing_properties?: string[];
}

export interface ValidationResult {
  readonly valid: boolean;
  readonly report: ValidationReport;
  /** One sentence per problem: `<name>: <value> <why>`. */
  readonly messages: readonly string[];
}

type ListKey = 'bad_properties' | 'bad_values' | 'missing_properties';

/** Sentences kept per report name; the rest are counted in one `<name>: ... and N more` line. */
export const MAX_MESSAGES_PER_NAME = 5;

/** Items a sentence lists before `... and N more`. */
const MAX_LISTED = 3;

/**
 * Collects problems; each name is listed once, in the order found. Each
 * name gets at most MAX_MESSAGES_PER_NAME distinct sentences, then one
 * line saying how many more were given (in the place of the first one
 * left out; a repeat of a kept sentence is not counted).
 */
export class ReportBuilder {
  private readonly lists: Record<ListKey, Set<string>> = {
    bad_properties: new Set(),
    bad_values: new Set(),
    missing_properties: new Set(),
  };
  private badBrand: string | undefined;
  private readonly messages: string[] = [];
  /** name -> the sentences kept for it, how many were given, and where its `... and N more` line goes. */
  private readonly perName = new Map<string, { kept: string[]; count: number; moreAt?: number }>();

  badValue(name: string, sentence: string): void {
    this.add('bad_values', name, sentence);
  }

  badProperty(name: string, sentence: string): void {
    this.add('bad_properties', name, sentence);
  }

  missing(name: string, sentence: string): void {
    this.add('missing_properties', name, sentence);
  }

  /** A bad value whose sentence begins with its name itself (`disks is not supported by this vmadm`). */
  badValueSaying(name: string, sentence: string): void {
    this.add('bad_values', name, sentence, true);
  }

  brand(brand: string, sentence: string): void {
    this.badBrand = brand;
    this.messages.push(sentence);
  }

  /** Whether a name is already reported bad (later checks skip it). */
  has(name: string): boolean {
    return this.lists.bad_values.has(name) || this.lists.bad_properties.has(name);
  }

  result(): ValidationResult {
    const report: ValidationReport = {};
    if (this.badBrand !== undefined) report.bad_brand = this.badBrand;
    for (const key of ['bad_properties', 'bad_values', 'missing_properties'] as const) {
      if (this.lists[key].size > 0) report[key] = [...this.lists[key]];
    }
    const messages = [...this.messages];
    for (const [name, { count, moreAt }] of this.perName) {
      if (moreAt !== undefined) messages[moreAt] = `${name}: ... and ${count - MAX_MESSAGES_PER_NAME} more`;
    }
    return { valid: messages.length === 0, report, messages };
  }

  private add(key: ListKey, name: string, sentence: string, named = false): void {
    this.lists[key].add(name);
    let seen = this.perName.get(name);
    if (seen === undefined) this.perName.set(name, (seen = { kept: [], count: 0 }));
    else if (seen.kept.includes(sentence)) return; // the same problem found twice (the schema can)
    seen.count++;
    if (seen.count <= MAX_MESSAGES_PER_NAME) {
      seen.kept.push(sentence);
      this.messages.push(named ? sentence : `${name}: ${sentence}`);
    }
    else if (seen.moreAt === undefined) {
      seen.moreAt = this.messages.length;
      this.messages.push(''); // filled in by result()
    }
  }
}

/**
 * Items for a sentence: the first MAX_LISTED joined with `sep`, then
 * `... and N more` (`a, b, c, ... and 7 more`).
 */
export function listSome(items: readonly string[], sep = ', ', max = MAX_LISTED): string {
  if (items.length <= max) return items.join(sep);
  return `${items.slice(0, max).join(sep)}${sep}... and ${items.length - max} more`;
}

/** Text from the input as a sentence lists it: at most 80 characters. */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A value as a sentence shows it: short, never the whole of a huge value. */
export function show(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? text.slice(0, 77) + '..."' : text;
}
