/**
 * `vmadm list` and `vmadm lookup` output, pure: the fake `type` and `ram`
 * fields, the column table (key, header, width), sorting and the rows.
 *
 * Everything here reads a VM as `vmadm get` shows it (the get view, plain
 * JSON), so a column or a sort key means what the user sees in `get`.
 * Layout per docs/vmadm-cli.md §6: each column `%-<width>s`, joined by two
 * spaces, right-trimmed; a missing or falsy value prints `-` (but `0`
 * prints 0); `-p` joins raw values with `:`.
 */
import { AppError } from '../errors';
import { isHvm } from '../vmspec/brands';
import type { VmRecord } from './record';
import { nicView } from './view';

/** A VM as `get` shows it, possibly with the fake list fields. */
export type VmView = Record<string, unknown>;

export interface ColumnSpec {
  header: string;
  width: number;
}

/** The list columns of SmartOS vmadm: key → header and width. */
export const LIST_COLUMNS: Readonly<Record<string, ColumnSpec>> = Object.freeze({
  alias: { header: 'ALIAS', width: 10 },
  autoboot: { header: 'AUTOBOOT', width: 8 },
  billing_id: { header: 'BILLING_ID', width: 36 },
  boot_timestamp: { header: 'BOOT_TIMESTAMP', width: 24 },
  brand: { header: 'BRAND', width: 14 },
  cpu_cap: { header: 'CPU_CAP', width: 7 },
  cpu_shares: { header: 'CPU_SHARE', width: 9 },
  cpu_type: { header: 'CPU_TYPE', width: 8 },
  create_timestamp: { header: 'CREATE_TIMESTAMP', width: 24 },
  dns_domain: { header: 'DOMAIN', width: 32 },
  do_not_inventory: { header: 'DNI', width: 5 },
  docker: { header: 'DOCKER', width: 6 },
  exit_status: { header: 'EXIT', width: 4 },
  exit_timestamp: { header: 'EXIT_TIMESTAMP', width: 24 },
  firewall_enabled: { header: 'FIREWALL_ENABLED', width: 16 },
  flexible_disk_size: { header: 'FLEX_DISK_SIZE', width: 14 },
  free_space: { header: 'FREE_SPACE', width: 14 },
  hostname: { header: 'HOSTNAME', width: 32 },
  hvm: { header: 'HVM', width: 5 },
  image_uuid: { header: 'IMAGE_UUID', width: 36 },
  indestructible_delegated: { header: 'INDESTR_DATA', width: 12 },
  indestructible_zoneroot: { header: 'INDESTR_ROOT', width: 12 },
  ram: { header: 'RAM', width: 7 },
  max_locked_memory: { header: 'MAX_LOCKED', width: 10 },
  max_lwps: { header: 'MAX_LWP', width: 7 },
  max_physical_memory: { header: 'MAX_PHYS', width: 8 },
  max_swap: { header: 'MAX_SWAP', width: 8 },
  owner_uuid: { header: 'OWNER_UUID', width: 36 },
  package_name: { header: 'PACKAGE_NAME', width: 32 },
  package_version: { header: 'PACKAGE_VER', width: 11 },
  pid: { header: 'PID', width: 6 },
  qemu_extra_opts: { header: 'QEMU_EXTRA_OPTS', width: 15 },
  quota: { header: 'QUOTA', width: 5 },
  zone_state: { header: 'ZONE_STATE', width: 10 },
  state: { header: 'STATE', width: 16 },
  tmpfs: { header: 'TMPFS', width: 5 },
  type: { header: 'TYPE', width: 4 },
  uuid: { header: 'UUID', width: 36 },
  vcpus: { header: 'VCPUS', width: 5 },
  zfs_io_priority: { header: 'IO_PRIORITY', width: 11 },
  zpool: { header: 'ZPOOL', width: 12 },
  zonename: { header: 'ZONENAME', width: 12 },
  zonepath: { header: 'ZONEPATH', width: 40 },
  zoneid: { header: 'ZONEID', width: 6 },
});

const DEFAULT_ORDER = 'uuid,type,ram,state,alias';
const DEFAULT_SORT = 'ram,uuid';

/** Properties that hold an object keyed by name: `tags.<key>` and the like. */
const HASH_PROPERTIES: ReadonlySet<string> = new Set(['tags', 'customer_metadata', 'internal_metadata', 'routes']);
/** Properties that hold a list of objects: `nics.<N>.<prop>` and the like. */
const ARRAY_PROPERTIES: ReadonlySet<string> = new Set(['nics', 'disks', 'pci_devices', 'filesystems']);

const TYPE_OF_BRAND: Readonly<Record<string, string>> = { lx: 'LX', kvm: 'KVM', bhyve: 'BHYV' };

/** The `type` column: OS (joyent, joyent-minimal, builder), LX, KVM or BHYV. */
export function vmType(brand: unknown): string {
  return (typeof brand === 'string' && TYPE_OF_BRAND[brand]) || 'OS';
}

/**
 * The view with the fields `list` and `lookup` add: `type`, and for VMs
 * that are not HVM, `ram` = max_physical_memory. HVM VMs keep their own
 * `ram` where it is.
 */
export function withListFields(view: VmView): VmView {
  const out: VmView = { ...view, type: vmType(view.brand) };
  if (!isHvm(view.brand)) out.ram = view.max_physical_memory;
  return out;
}

/**
 * Whether any of these column, sort or filter keys reads a NIC
 * (`nics.<N|*>.<prop>`, or `nics` itself), and so needs the NICs as `get` shows them (with
 * the deprecated ip/netmask/gateway).
 */
export function readsNics(keys: Iterable<string>): boolean {
  for (const key of keys) if (key === 'nics' || key.startsWith('nics.')) return true;
  return false;
}

/** What listView copies of each VM: the top-level properties the keys read, and whether NICs need their get view. */
export interface ViewPlan {
  props: readonly string[];
  nics: boolean;
}

/** The ViewPlan of the column, sort and filter keys a command reads. */
export function planView(keys: readonly string[]): ViewPlan {
  const props = new Set<string>();
  for (const key of keys) {
    props.add(key);
    const dot = key.indexOf('.');
    if (dot > 0) props.add(key.slice(0, dot));
  }
  return { props: [...props], nics: readsNics(keys) };
}

/**
 * One VM as `list` and `lookup` read it, without building its `get` view:
 * only the top-level properties the plan names — the record's own, `hvm`,
 * the fake `type` and `ram`, and the NICs as nicView shows them when a key
 * reads them. For every key of the plan, valueAt and the filters find the
 * same value in it as in withListFields(getView(record)); JSON output
 * uses the full view.
 */
export function listView(record: VmRecord, plan: ViewPlan): VmView {
  const view: VmView = {};
  const hvm = isHvm(record.brand);
  for (const prop of plan.props) {
    if (prop === 'hvm') view.hvm = hvm;
    else if (prop === 'type') view.type = vmType(record.brand);
    else if (prop === 'ram' && !hvm) view.ram = record.max_physical_memory;
    else if (prop === 'nics' && plan.nics) view.nics = record.nics.map(nicView);
    else if (Object.prototype.hasOwnProperty.call(record, prop)) view[prop] = (record as unknown as VmView)[prop];
  }
  return view;
}

/**
 * The values `keys` name in a VM (valueAt), each as an own property of a
 * small row: valueAt(row, key) gives the same value as valueAt(view, key),
 * so sortVms, formatTable and the like read rows as they read views.
 */
export function project(view: VmView, keys: readonly string[]): VmView {
  const row: VmView = {};
  for (const key of keys) row[key] = valueAt(view, key);
  return row;
}

/**
 * The value a column, sort key or filter key names: a top-level property
 * (`alias`), a key of an object property (`tags.role`, `routes.10.0.0.0/8`;
 * everything after the first dot is the key) or a property of one element
 * of a list (`nics.0.ip`).
 */
export function valueAt(vm: VmView, key: string): unknown {
  if (Object.prototype.hasOwnProperty.call(vm, key)) return vm[key];
  const dot = key.indexOf('.');
  if (dot < 0) return undefined;
  const head = key.slice(0, dot);
  const rest = key.slice(dot + 1);
  const container = vm[head];
  if (container === null || typeof container !== 'object') return undefined;
  if (HASH_PROPERTIES.has(head)) {
    return Object.prototype.hasOwnProperty.call(container, rest) ? (container as Record<string, unknown>)[rest] : undefined;
  }
  if (ARRAY_PROPERTIES.has(head) && Array.isArray(container)) {
    const dot2 = rest.indexOf('.');
    if (dot2 < 0) return undefined;
    const index = rest.slice(0, dot2);
    if (!/^\d+$/.test(index)) return undefined;
    const element = container[Number(index)] as unknown;
    if (element === null || typeof element !== 'object') return undefined;
    const prop = rest.slice(dot2 + 1);
    return Object.prototype.hasOwnProperty.call(element, prop) ? (element as Record<string, unknown>)[prop] : undefined;
  }
  return undefined;
}

/** Header and width of a column or sort key; undefined when it names none. */
export function columnSpec(key: string): ColumnSpec | undefined {
  if (Object.prototype.hasOwnProperty.call(LIST_COLUMNS, key)) return LIST_COLUMNS[key];
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) return undefined;
  const head = key.slice(0, dot);
  if (HASH_PROPERTIES.has(head)) return { header: key.toUpperCase(), width: 20 };
  if (ARRAY_PROPERTIES.has(head) && /^\d+\.[^.]+$/.test(key.slice(dot + 1))) return { header: key.toUpperCase(), width: 20 };
  return undefined;
}

export interface Column extends ColumnSpec {
  key: string;
}

export interface SortKey {
  key: string;
  /** 1 ascending, -1 descending. */
  direction: 1 | -1;
}

export interface ListOptions {
  /** `-o`: comma-separated columns (default uuid,type,ram,state,alias). */
  order?: string;
  /** `-s`: comma-separated sort keys, each optionally prefixed + or - (default ram,uuid). */
  sortby?: string;
}

export interface ListPlan {
  columns: Column[];
  sort: SortKey[];
}

/**
 * Check `-o` and `-s` in SmartOS's order: a `*` in any column, then in any
 * sort key (`Invalid order key` / `Invalid sort key`), then unknown sort
 * keys, then unknown columns (`invalid sort field` / `invalid order field`).
 */
export function planList(options: ListOptions): ListPlan {
  const order = (options.order ?? DEFAULT_ORDER).split(',');
  const sortby = (options.sortby ?? DEFAULT_SORT).split(',');
  for (const key of order) {
    if (key.includes('*')) throw new AppError(`Invalid order key: "${key}"`);
  }
  const sort: SortKey[] = sortby.map((field) => {
    const direction = field.startsWith('-') ? -1 : 1;
    const key = field.startsWith('-') || field.startsWith('+') ? field.slice(1) : field;
    return { key, direction };
  });
  for (const { key } of sort) {
    if (key.includes('*')) throw new AppError(`Invalid sort key: "${key}"`);
  }
  sort.forEach(({ key }, i) => {
    if (!columnSpec(key)) throw new AppError(`invalid sort field: ${sortby[i]}`);
  });
  const columns = order.map((key) => {
    const spec = columnSpec(key);
    if (!spec) throw new AppError(`invalid order field: ${key}`);
    return { key, ...spec };
  });
  return { columns, sort };
}

/** SmartOS's comparison: raw `<`/`>`, falsy or missing values after the others. */
function compareValues(a: unknown, b: unknown): number {
  const x = a as number;
  const y = b as number;
  if (x > y || (!x && y) || (x === undefined && y !== undefined)) return 1;
  if (x < y || (x && !y) || (x !== undefined && y === undefined)) return -1;
  return 0;
}

/** The VMs in `-s` order (a new array; stable for equal keys). */
export function sortVms<T extends VmView>(vms: readonly T[], sort: readonly SortKey[]): T[] {
  const keyed = vms.map((vm) => ({ vm, values: sort.map((s) => valueAt(vm, s.key)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < sort.length; i++) {
      const c = compareValues(a.values[i], b.values[i]);
      if (c !== 0) return c * sort[i].direction;
    }
    return 0;
  });
  return keyed.map((k) => k.vm);
}

/** Whether a value prints (SmartOS prints `-` for missing or falsy values, but 0 prints). */
function present(value: unknown): boolean {
  return value === 0 || !!value;
}

function padEnd(text: string, width: number): string {
  return text.padEnd(width);
}

/**
 * A -p field: `\` as `\\` and `:` as `\:`, so that IPv6 addresses and MACs
 * do not split a line into more fields (SmartOS does not escape; docs/vmadm-cli.md §0, §6).
 */
function escapeParsable(cell: string): string {
  return cell.replace(/[\\:]/g, '\\$&');
}

function joinRow(cells: readonly string[], columns: readonly Column[], parsable: boolean): string {
  if (parsable) return cells.map(escapeParsable).join(':');
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += '  ';
    line += padEnd(cells[i], columns[i].width);
  }
  // trimEnd removes exactly what /\s+$/ matches, without its backtracking over each padded cell
  return line.trimEnd();
}

/** The header line (`-p -h` joins headers with `:`). */
function headerLine(columns: readonly Column[], parsable: boolean): string {
  return joinRow(
    columns.map((c) => c.header),
    columns,
    parsable,
  );
}

/** One row: `-` (or, with -p, nothing) for a missing or falsy value. */
function rowLine(vm: VmView, columns: readonly Column[], parsable: boolean): string {
  const cells = columns.map((c) => {
    const value = valueAt(vm, c.key);
    if (present(value)) return String(value);
    return parsable ? '' : '-';
  });
  return joinRow(cells, columns, parsable);
}

export interface TableOptions {
  parsable?: boolean;
  /** Print the header: default on, off with -p; -H turns it off, -h on. */
  header?: boolean;
}

/** The whole table, one line per VM (each newline-terminated), header first when asked. */
export function formatTable(vms: readonly VmView[], columns: readonly Column[], options: TableOptions = {}): string {
  const parsable = options.parsable === true;
  const header = options.header ?? !parsable;
  const lines: string[] = [];
  if (header) lines.push(headerLine(columns, parsable));
  for (const vm of vms) lines.push(rowLine(vm, columns, parsable));
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/**
 * `lookup -j -o a,b`: each VM limited to the named properties (a column
 * or any top-level property); VMs left with none are dropped.
 */
export function pickFields(vms: readonly VmView[], fields: readonly string[]): VmView[] {
  const out: VmView[] = [];
  for (const vm of vms) {
    const picked: VmView = {};
    for (const field of fields) {
      if (Object.prototype.hasOwnProperty.call(vm, field)) picked[field] = vm[field];
    }
    if (Object.keys(picked).length > 0) out.push(picked);
  }
  return out;
}
