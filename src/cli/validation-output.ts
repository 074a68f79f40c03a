/**
 * How `vmadm validate` shows a result.
 *
 * Without -j: the VALID line on stdout, exit 0; or the report, one line per
 * key, on stdout and one sentence per problem on stderr, exit 1.
 * With -j, stdout is always one JSON object, the report with its three
 * lists (empty for a valid payload) and bad_brand when there is one; the
 * VALID line then goes to stderr.
 *
 * Names and values come from the input: every name in a report line is
 * shown by showName and every line is escaped, so one problem is always
 * one line and no control character reaches the terminal.
 */
import type { ValidationReport, ValidationResult } from '../core/vmspec/validate';
import { escapeControl } from '../core/text';
import { showName } from './names';
import { jsonText } from './output';
import type { Io } from './io';

/** The -j report: SmartOS's three lists, always present, after bad_brand if any. */
export interface JsonReport {
  bad_brand?: string;
  bad_values: string[];
  bad_properties: string[];
  missing_properties: string[];
}

export function reportAsJson(report: ValidationReport): JsonReport {
  return {
    ...(report.bad_brand !== undefined ? { bad_brand: report.bad_brand } : {}),
    bad_values: report.bad_values ?? [],
    bad_properties: report.bad_properties ?? [],
    missing_properties: report.missing_properties ?? [],
  };
}

/** One line per key that has entries: `bad_values: nics.0.ips, "tags.a,b"`. */
export function reportAsText(report: ValidationReport): string {
  return Object.entries(report)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.map(showName).join(', ') : showName(String(value))}\n`)
    .join('');
}

/** What a validation prints: stdout, stderr and the exit status. */
export function renderValidation(
  result: ValidationResult,
  json: boolean,
  validLine: string,
): { stdout: string; stderr: string; status: number } {
  const out = json ? jsonText(reportAsJson(result.report)) : '';
  if (result.valid) {
    const line = escapeControl(validLine) + '\n';
    return json ? { stdout: out, stderr: line, status: 0 } : { stdout: line, stderr: '', status: 0 };
  }
  return {
    stdout: json ? out : reportAsText(result.report),
    stderr: result.messages.map((m) => escapeControl(m) + '\n').join(''),
    status: 1,
  };
}

/** Print the outcome; returns the exit status. */
export function printValidation(io: Pick<Io, 'stdout' | 'stderr'>, result: ValidationResult, json: boolean, validLine: string): number {
  const { stdout, stderr, status } = renderValidation(result, json, validLine);
  if (stdout) io.stdout.write(stdout);
  if (stderr) io.stderr.write(stderr);
  return status;
}
