/**
 * Signals as `vmadm kill` takes them (docs/vmadm-cli.md §16.1): a name with
 * or without the `SIG` prefix (`SIGKILL`, `KILL`), as SmartOS's vmadm
 * looks it up in its platform's signal table, or a number of that table.
 * The table is illumos's (sys/iso/signal_iso.h): SmartOS's numbers, not
 * the machine's. Pure.
 */

/** illumos signal numbers, by name without `SIG` (aliases included). */
const ILLUMOS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, EMT: 7, FPE: 8, KILL: 9, BUS: 10, SEGV: 11,
  SYS: 12, PIPE: 13, ALRM: 14, TERM: 15, USR1: 16, USR2: 17, CHLD: 18, CLD: 18, PWR: 19, WINCH: 20, URG: 21,
  POLL: 22, IO: 22, STOP: 23, TSTP: 24, CONT: 25, TTIN: 26, TTOU: 27, VTALRM: 28, PROF: 29, XCPU: 30, XFSZ: 31,
  WAITING: 32, LWP: 33, FREEZE: 34, THAW: 35, CANCEL: 36, LOST: 37, XRES: 38, JVM1: 39, JVM2: 40, INFO: 41,
};

/** The first name of each number (the one `kill -s` is given). */
const BY_NUMBER: ReadonlyMap<number, string> = (() => {
  const out = new Map<number, string>();
  for (const [name, n] of Object.entries(ILLUMOS)) if (!out.has(n)) out.set(n, name);
  return out;
})();

export interface Signal {
  /** The name without `SIG` (`TERM`), or `0` for the null signal (only checks that init exists). */
  readonly name: string;
  readonly number: number;
}

/** The default of `vmadm kill`. */
export const DEFAULT_SIGNAL = 'SIGTERM';

/**
 * The signal a `vmadm kill` argument names, or undefined when it names
 * none (SmartOS: `Unknown signal "<sig>"`). Names are case-sensitive, as
 * SmartOS's lookup is.
 */
export function parseSignal(text: string): Signal | undefined {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    if (n === 0) return { name: '0', number: 0 };
    const name = BY_NUMBER.get(n);
    return name === undefined ? undefined : { name, number: n };
  }
  const bare = text.startsWith('SIG') ? text.slice(3) : text;
  const n = Object.prototype.hasOwnProperty.call(ILLUMOS, bare) ? ILLUMOS[bare] : undefined;
  return n === undefined ? undefined : { name: bare, number: n };
}
