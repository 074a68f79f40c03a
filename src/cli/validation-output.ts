/**
 * How `vmadm validate` shows a result: the VALID line, or the report (JSON
 * with -j, one line per key without) on stdout and one sentence per problem
 * on stderr, exit status 1.
 */
import type { ValidationResult } from '../core/vmspec/validate';
import { printJson } from './output';

export function reportAsText(result: ValidationResult): string {
  return Object.entries(result.report)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}\n`)
    .join('');
}

/** Print the outcome; returns the exit status. */
export function printValidation(result: ValidationResult, json: boolean, validLine: string): number {
  if (result.valid) {
    process.stdout.write(validLine + '\n');
    return 0;
  }
  if (json) printJson(result.report);
  else process.stdout.write(reportAsText(result));
  process.stderr.write(result.messages.map((m) => m + '\n').join(''));
  return 1;
}
