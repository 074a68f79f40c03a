/** `vmadm reprovision <uuid> [-f FILE]`: an OS VM's zone root reinstalled from another image, its data kept (docs/vmadm-cli.md §16.4). */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { fileFlag } from '../../cli/flags';
import { readJsonInput, inputName } from '../../cli/input';
import { checkUuidArg, printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';
import { AppError, InterruptedError, UsageError } from '../../core/errors';
import { isPayloadObject } from '../../core/vmspec/validate';

export default class Reprovision extends BaseCommand {
  static override summary = "Reinstall an OS VM's zone root from another image, keeping its data.";

  static override description = [
    'Reads a payload {"image_uuid": "<uuid>"} from FILE or standard input and, as SmartOS does for joyent, joyent-minimal and lx VMs: stops the VM if it runs, replaces its zone root by a new one from the image (its delegated data/ dataset and its config are kept; its metadata, tags, routes, NICs and firewall stay as they are), sets image_uuid, and boots it (autoboot set). Prints "Successfully reprovisioned VM <uuid>" on standard error; other payload keys are ignored, each with a note.',
    'Refusals, each "Failed to reprovision VM <uuid>: " and the reason, exit status 1: "payload is missing image_uuid", "brand "<brand>" does not yet support reprovision" (HVM VMs), "indestructible_zoneroot is set, cannot reprovision", an unknown VM, an image the host does not have. A reprovision that fails before the old root is gone leaves the VM as it was; one killed half-way is finished or undone by the next vmadm or fwadm command.',
    'On illumos: zfs rename of the root dataset (and of <ds>/data) out of the way, zfs clone of the image\'s @final snapshot with the VM\'s quota, the brand\'s install script with -r, the data put back, the old root destroyed. The embedded local host has no images: <zonepath>/root is replaced by a new empty directory and the zone records the new image.',
  ].join('\n\n');

  static override examples = [
    'echo \'{"image_uuid": "2b683a82-a066-11e3-97ab-2faa44701c5a"}\' | <%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
  ];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = {
    file: fileFlag('the payload'),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Reprovision);
    const io = this.io;
    const uuid = checkUuidArg(args.uuid, 'reprovision');
    // SmartOS's words for a terminal on stdin
    if ((flags.file === undefined || flags.file === '-') && io.stdin.isTTY) throw new UsageError('Will not take payload from stdin when stdin is a tty.');
    const payload = await readJsonInput(io, flags.file);
    if (!isPayloadObject(payload)) throw new AppError(`${inputName(flags.file)}: a reprovision payload must be a JSON object`);
    let done;
    try {
      done = await withApp(io, flags.root, true, (rt, app) => app.reprovisionVmChange(rt, uuid, payload));
    } catch (err) {
      // as SmartOS's vmadm says every failure of a reprovision
      if (err instanceof AppError && !(err instanceof InterruptedError) && !(err instanceof UsageError)) {
        throw new AppError(err.messages.map((m) => `Failed to reprovision VM ${uuid}: ${m}`));
      }
      throw err;
    }
    printSuccess(io, done.value.line, done, done.value.notes);
  }
}
