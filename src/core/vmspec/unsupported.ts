/**
 * Payload keys this vmadm knows (vmadm(8) has them) but does not implement
 * yet: the one table of them, each with the action that takes it. Such a
 * key is refused, never dropped or answered with success
 * (docs/vmadm-cli.md §15 "Unknown and unsupported keys"): a bad value
 * whose sentence is `<key> is not supported by this vmadm`, exit 1,
 * nothing changed. A key leaves this table when it is implemented.
 */
export const UNSUPPORTED: ReadonlyMap<string, 'create' | 'update'> = new Map([
  ['add_pci_devices', 'update'], ['update_pci_devices', 'update'], ['remove_pci_devices', 'update'],
]);

/** The payload's keys that its action takes but this vmadm does not implement. */
export function unsupportedKeys(payload: object, action: 'create' | 'update'): string[] {
  const out: string[] = [];
  for (const key of Object.keys(payload)) if (UNSUPPORTED.get(key) === action) out.push(key);
  return out;
}

/** The sentence for an unsupported key. */
export function unsupportedSentence(key: string): string {
  return `${key} is not supported by this vmadm`;
}
