/**
 * zonecfg commands as data, and the one printer that turns them into the
 * text zonecfg reads. Every value in a command is a ZValue (quote.ts), so
 * no text reaches the script without going through the quoting rules;
 * names of properties, resources and flags are fixed words of this module.
 */
import type { ZValue } from './quote';

/** Global properties of a zone (`set <prop>=...` outside any resource). */
export type GlobalProp =
  | 'zonepath' | 'brand' | 'uuid' | 'ip-type' | 'autoboot' | 'limitpriv' | 'fs-allowed'
  | 'cpu-shares' | 'max-lwps' | 'max-msg-ids' | 'max-sem-ids' | 'max-shm-ids' | 'max-shm-memory'
  | 'zfs-io-priority';
/** Resources a script adds, selects or removes. */
export type Resource = 'attr' | 'net' | 'capped-memory' | 'capped-cpu' | 'device' | 'fs';
/** Simple properties inside a resource. */
export type ResourceProp =
  | 'name' | 'type' | 'value'
  | 'physical' | 'mac-addr' | 'global-nic' | 'vlan-id'
  | 'locked' | 'swap'
  | 'ncpus'
  | 'match'
  | 'dir' | 'special' | 'raw';
export type Prop = GlobalProp | ResourceProp;

export type Command =
  | { op: 'create'; blank: true }
  | { op: 'set'; prop: Prop; value: ZValue }
  | { op: 'clear'; prop: GlobalProp }
  /** `set <prop>=[<v>,<v>...]`: a list property (an fs's options). */
  | { op: 'set-list'; prop: 'options'; values: readonly ZValue[] }
  | { op: 'add'; resource: Resource }
  /** Ends the resource opened by add/select; `tight` prints it as `;end` (no blank), as VM.js does in one place. */
  | { op: 'end'; tight?: boolean }
  | { op: 'select'; resource: Resource; by: ResourceProp; value: ZValue }
  /** `remove <resource> [<by>=<value>]`: one matching resource, or the only one. */
  | { op: 'remove'; resource: Resource; by?: ResourceProp; value?: ZValue }
  /** `add property (name=<n>, value="<v>")` inside net/device; `compact` prints no blank after the comma. */
  | { op: 'add-property'; name: ZValue; value: ZValue; compact?: boolean }
  | { op: 'remove-property'; name: ZValue; value: ZValue; compact?: boolean };

/** One line of the script: its commands joined by `; `. */
export type Line = readonly Command[];

function complex(name: ZValue, value: ZValue, compact: boolean | undefined): string {
  return `(name=${name.text},${compact ? '' : ' '}value=${value.text})`;
}

function renderCommand(c: Command): string {
  switch (c.op) {
    case 'create': return 'create -b';
    case 'set': return `set ${c.prop}=${c.value.text}`;
    case 'clear': return `clear ${c.prop}`;
    case 'set-list': return `set ${c.prop}=[${c.values.map((x) => x.text).join(',')}]`;
    case 'add': return `add ${c.resource}`;
    case 'end': return 'end';
    case 'select': return `select ${c.resource} ${c.by}=${c.value.text}`;
    case 'remove': return c.by && c.value ? `remove ${c.resource} ${c.by}=${c.value.text}` : `remove ${c.resource}`;
    case 'add-property': return `add property ${complex(c.name, c.value, c.compact)}`;
    case 'remove-property': return `remove -F property ${complex(c.name, c.value, c.compact)}`;
  }
}

export function renderLine(line: Line): string {
  let out = '';
  line.forEach((c, i) => {
    if (i > 0) out += c.op === 'end' && c.tight ? ';' : '; ';
    out += renderCommand(c);
  });
  return out;
}

/** The script: one line per Line, each ended by a newline ('' for no lines). */
export function render(lines: readonly Line[]): string {
  let out = '';
  for (const l of lines) out += renderLine(l) + '\n';
  return out;
}
