/**
 * A VM's ipf files: `<zonepath>/config/ipf.conf` and `ipf6.conf`, with the
 * previous ones kept as `ipf.conf.old` / `ipf6.conf.old` (docs/fwadm-cli.md §8).
 *
 * Replacing a file: write `<file>.<version>` durably, unlink `<file>.old`,
 * hard-link the current file to `<file>.old`, rename the new one over the
 * file. Disabling: rename `<file>` to `<file>.old`. A file is never
 * modified in place, so `.old` always holds a whole previous file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../core/errors';
import { ignoreENOENT, isCode } from '../core/errno';

/** The two files' texts. */
export interface IpfTexts {
  readonly ipf: string;
  readonly ipf6: string;
}

export interface IpfPaths {
  readonly ipf: string;
  readonly ipf6: string;
}

export type IpfFileName = 'ipf' | 'ipf6';
const NAMES: readonly IpfFileName[] = ['ipf', 'ipf6'];

/** A version as a file name suffix: digits, letters, `.`, `_`, `-`. */
const SAFE_VERSION = /^[0-9A-Za-z._-]{1,64}$/;

/** `<zonepath>/config`. */
function configDir(zonepath: string): string {
  return path.join(zonepath, 'config');
}

/** `<zonepath>/config/ipf.conf` and `ipf6.conf`. */
export function ipfPaths(zonepath: string): IpfPaths {
  const dir = configDir(zonepath);
  return { ipf: path.join(dir, 'ipf.conf'), ipf6: path.join(dir, 'ipf6.conf') };
}

/** `text` written to `file` and synced (the file is new: it is renamed into place only after this). */
async function writeSynced(file: string, text: string): Promise<void> {
  // a new file: never through a link, never over anything
  const fh = await fs.open(file, 'wx');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function replaceFile(file: string, text: string, version: string): Promise<void> {
  const tmp = `${file}.${version}`;
  const old = `${file}.old`;
  await ignoreENOENT(fs.unlink(tmp)); // left by a killed command with this very version
  await writeSynced(tmp, text);
  await ignoreENOENT(fs.unlink(old));
  await ignoreENOENT(fs.link(file, old));
  await fs.rename(tmp, file);
}

/**
 * Write a VM's two files, keeping the current ones as `.old`. `version`
 * names the temporary files (`ipf.conf.<version>`).
 */
export async function writeIpfFiles(zonepath: string, texts: IpfTexts, version: string): Promise<IpfPaths> {
  if (!SAFE_VERSION.test(version)) throw new AppError(`invalid ipf file version "${version}"`);
  const paths = ipfPaths(zonepath);
  await fs.mkdir(configDir(zonepath), { recursive: true });
  for (const n of NAMES) await replaceFile(paths[n], texts[n], version);
  return paths;
}

/** Firewall disabled: `ipf.conf` → `ipf.conf.old`, `ipf6.conf` → `ipf6.conf.old` (missing files ignored). */
export async function disableIpfFiles(zonepath: string): Promise<void> {
  const paths = ipfPaths(zonepath);
  for (const n of NAMES) await ignoreENOENT(fs.rename(paths[n], `${paths[n]}.old`));
}

/**
 * After a failed load: put each `.old` file back in place (the `.old`
 * copy stays). Returns which files were restored; a file without `.old`
 * (the VM's first files) is left as it is.
 */
export async function restoreIpfFiles(zonepath: string): Promise<Record<IpfFileName, boolean>> {
  const paths = ipfPaths(zonepath);
  const out: Record<IpfFileName, boolean> = { ipf: false, ipf6: false };
  for (const n of NAMES) {
    const file = paths[n];
    const tmp = `${file}.restore`;
    await ignoreENOENT(fs.unlink(tmp));
    if (!(await ignoreENOENT(fs.link(`${file}.old`, tmp)))) continue;
    await fs.rename(tmp, file);
    out[n] = true;
  }
  return out;
}

/** The current files' texts (undefined: absent). */
export async function readIpfFiles(zonepath: string): Promise<Partial<Record<IpfFileName, string>>> {
  const paths = ipfPaths(zonepath);
  const out: Partial<Record<IpfFileName, string>> = {};
  for (const n of NAMES) {
    try {
      out[n] = await fs.readFile(paths[n], 'utf8');
    } catch (err) {
      if (!isCode(err, 'ENOENT')) throw err;
    }
  }
  return out;
}

/** Remove the temporary files interrupted writes left (`ipf.conf.<version>`, `ipf.conf.restore`); `.old` stays. */
export async function cleanIpfTemps(zonepath: string): Promise<void> {
  const dir = configDir(zonepath);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if (isCode(err, 'ENOENT')) return;
    throw err;
  }
  for (const name of names) {
    if (/^ipf6?\.conf\.(?!old$).+$/.test(name)) await ignoreENOENT(fs.unlink(path.join(dir, name)));
  }
}
