/** Typed errors of the VRP driver. */
import { DeviceError, type VesselErrorOptions } from "../../errors.ts";

/**
 * The switch rejected a command (`Error:` line, `^` marker). `messageId` carries the device's
 * own error text, `command` what was sent and `output` the raw answer.
 */
export class VrpCommandError extends DeviceError {
  override readonly code: string = "device";
  readonly command: string;
  readonly output: string;
  constructor(
    message: string,
    options: VesselErrorOptions & {
      device?: string;
      messageId?: string;
      command: string;
      output: string;
    },
  ) {
    super(message, options);
    this.command = options.command;
    this.output = options.output;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), command: this.command, output: this.output };
  }
}

/** A two-stage (VRP8) `commit` failed; the candidate configuration was discarded. */
export class VrpCommitError extends VrpCommandError {}
