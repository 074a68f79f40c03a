/**
 * Paths inside a root (docs/state.md "Paths"): a path built from a value
 * (a uuid, a zpool, a zonepath) must stay under the root it is built in,
 * and nothing is written through a symbolic link found inside the root.
 * The root itself may be reached through links (a user's choice); what
 * lies under it may not. Each refusal is one line naming the path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../core/errors';

/** Whether `p` is `root` or lies under it (both absolute, normalised). */
export function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** `root` joined with `parts`, refused when the result is not under `root` (`what` names the value). */
export function within(root: string, what: string, ...parts: string[]): string {
  const p = path.resolve(root, ...parts);
  if (!isWithin(root, p)) throw new AppError(`${what}: ${p} is outside ${root}`);
  return p;
}

function symlinkRefusal(p: string): AppError {
  return new AppError(`${p}: is a symbolic link; nothing is written through links inside the state root`);
}

/**
 * Make `dir` (under `root`) and its parents as needed, refusing a symbolic
 * link at any level below `root`.
 */
function ensureDir(root: string, dir: string): void {
  const rel = path.relative(root, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new AppError(`${dir} is outside ${root}`);
  let at = root;
  fs.mkdirSync(root, { recursive: true });
  for (const part of rel === '' ? [] : rel.split(path.sep)) {
    at = path.join(at, part);
    let st = fs.lstatSync(at, { throwIfNoEntry: false });
    if (st === undefined) {
      try {
        fs.mkdirSync(at);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      st = fs.lstatSync(at);
    }
    if (st.isSymbolicLink()) throw symlinkRefusal(at);
    if (!st.isDirectory()) throw new AppError(`${at}: is not a directory`);
  }
}

/**
 * Ready to replace each of `files` (under `root`): its directory exists
 * with no link on the way, and the file itself, if present, is not a link
 * (a write to it would land wherever the link points).
 */
export function prepareWrite(root: string, ...files: string[]): void {
  // each directory once (files of one directory: one walk)
  for (const dir of new Set(files.map((f) => path.dirname(f)))) ensureDir(root, dir);
  for (const file of files) {
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) throw symlinkRefusal(file);
  }
}
