/**
 * A zone's data as `vmadm send` streams it and `vmadm receive` takes it
 * (docs/vmadm-cli.md §16.3): items, each with its bytes (if any) as an
 * async iterable that is read once, in order, before the next item.
 *
 * - local host: the files of the zonepath, less its zonecfg/ directory
 *   (the host's own record of the zone's configuration): `dir`, `file`,
 *   `symlink` items, paths relative to the zonepath, `/`-separated;
 * - illumos: one `dataset` item, the zone's dataset as `zfs send -p`
 *   writes it.
 */
export type ZoneDataItem =
  | { readonly kind: 'dir'; readonly path: string; readonly mode: number }
  | { readonly kind: 'file'; readonly path: string; readonly mode: number; readonly body: AsyncIterable<Uint8Array> }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'dataset'; readonly name: string; readonly body: AsyncIterable<Uint8Array> };

/** Read (and drop) what is left of a body, so that the stream goes on. */
export async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of body) void chunk;
}
