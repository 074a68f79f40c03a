/**
 * What the pure VM model needs from outside: the time, fresh UUIDs and
 * random bytes, and where a VM's zone lives. The store supplies it.
 */
export interface VmEnv {
  /** The time of the change (create_timestamp, last_modified). */
  now: Date;
  /** A random v4 UUID, lower-case. */
  newUuid(): string;
  /** n random bytes (for generated MACs). */
  randomBytes(n: number): Uint8Array;
  /** The store decides: `<root>/zones/<uuid>` locally, `/<zpool>/<uuid>` on illumos. */
  zonepathOf(zpool: string, uuid: string): string;
}
