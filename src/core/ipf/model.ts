/**
 * The firewall compiler's input and output: validated VMs (local and
 * remote), rules, options, and the per-VM files. Pure data.
 */
import type { IPAddress } from '../net/address';
import type { FwRule } from '../fwrule/types';
import { AppError } from '../errors';
import { escapeControl } from '../text';

/** A VM as the compiler sees it: a local VM (vmadm `get`) or a remote VM. */
export interface FwVm {
  readonly uuid: string;
  readonly owner_uuid?: string;
  /** Local VMs only: `firewall_enabled: true`. Remote VMs: false. */
  readonly firewallEnabled: boolean;
  readonly remote: boolean;
  /** Tag values as strings (`tag name = value` compares text). */
  readonly tags: ReadonlyMap<string, string>;
  /** Every address, de-duplicated, in numeric order (IPv4 first). */
  readonly addresses: readonly IPAddress[];
}

export interface CompileInput {
  /** Local VMs, in input order. */
  readonly vms: readonly FwVm[];
  readonly remoteVms: readonly FwVm[];
  /** Rules in input order (disabled ones included: they change nothing). */
  readonly rules: readonly FwRule[];
}

export interface CompileOptions {
  /**
   * Event-logging ipfilter (SmartOS: /dev/ipfev exists): every line keeps
   * state and carries set-tag(uuid=...); the header says smartos_ipf_version 2.
   */
  readonly eventLog: boolean;
  /** The "File generated at" date. */
  readonly date: Date;
}

/** The two files of one firewall-enabled VM. */
export interface VmFiles {
  readonly uuid: string;
  readonly ipf: string;
  readonly ipf6: string;
}

/**
 * The two files of one VM as the pieces that make them up, in order. The
 * header, each entry's block and the fallbacks are the same string objects
 * in every VM that has them, so a writer can encode each piece once per
 * host rather than once per VM (a large host's output is mostly shared).
 */
export interface VmFilePieces {
  readonly uuid: string;
  readonly ipf: readonly string[];
  readonly ipf6: readonly string[];
}

/**
 * Why a compile payload is unusable: one line, naming the bad item, with
 * any control character from the input escaped.
 */
export function compileInputError(message: string): AppError {
  return new AppError(escapeControl(message));
}

