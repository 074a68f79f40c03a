/**
 * `fwadm lint`: check rule texts, one per line, and print each one's
 * canonical text or what is wrong with it.
 */
import { BaseCommand } from '../../cli/base-command';
import { fileFlag, jsonFlag } from '../../cli/flags';
import { BufferedOutput } from '../../cli/buffered-output';
import { inputName, openInputStream } from '../../cli/input';
import { readLines } from '../../cli/lines';
import { isRuleLine, lintRule } from '../../core/fwrule/lint';

export default class Lint extends BaseCommand {
  static override summary = 'Check firewall rules and print their canonical text.';

  static override description = [
    'Reads fwrule(7) rule texts, one per line, from FILE or standard input; blank lines and lines starting with # are skipped. For each rule, prints its canonical text (the form fwadm and Triton FWAPI store, IPv6 in RFC 5952 form) on standard output, or "line N: <error>" on standard error.',
    'With -j, prints one JSON object per rule per line on standard output, in input order: {"line":N,"rule":"<canonical text>"} or {"line":N,"error":"<message>"}, N being the line number in the input.',
    'Exit status: 0 when every rule is valid, 1 when any is not, 2 on usage errors. The input is streamed, so files of 100,000 rules are fine.',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f examples/rules/valid.txt',
    "echo 'from any to tag role = www allow tcp ports 443, 80' | <%= config.bin %> <%= command.id %>",
    '<%= config.bin %> <%= command.id %> -j -f examples/rules/invalid.txt',
  ];

  static override flags = {
    file: fileFlag('rules'),
    json: jsonFlag('Print one JSON object per rule per line.'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Lint);
    const io = this.io;
    const out = new BufferedOutput(io.stdout);
    const err = new BufferedOutput(io.stderr);
    let invalid = 0;
    for await (const [line, text] of readLines(openInputStream(io, flags.file), inputName(flags.file))) {
      if (!isRuleLine(text)) continue;
      const r = lintRule(text);
      if ('error' in r) invalid++;
      if (flags.json) await out.line(JSON.stringify('rule' in r ? { line, rule: r.rule } : { line, error: r.error }));
      else if ('rule' in r) await out.line(r.rule);
      else await err.line(`line ${line}: ${r.error}`);
    }
    await out.flush();
    await err.flush();
    if (invalid > 0) io.exitCode = 1;
  }
}
