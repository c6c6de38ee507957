/**
 * `vessel_firmware`: the firmware version a chassis component must run; when it differs, apply
 * flashes the given image through the HMM (upload → update → poll → delete, chassis-exclusive,
 * one target at a time) and reads the version back.
 *
 * @example HCL
 * resource "vessel_firmware" "swi2" {
 *   component = "Swi2"
 *   version   = "2.0.1"
 *   image     = "firmware/cx310_2.0.1.hpm"
 * }
 */
import { z } from "zod";
import type { ResourceContext, ResourceDefinition } from "../../engine/types.ts";
import { DeviceError, ValidationError } from "../../errors.ts";
import { type Firmware, upgrade } from "../../chassis/upgrade.ts";

/** `vessel_firmware` attributes. */
export const FirmwareModel = z.strictObject({
  component: z.string().regex(
    /^(smm|slot([1-9]|1[0-6])|swi[1-4])$/i,
    "component must be smm, Slot1-Slot16 or Swi1-Swi4",
  ).describe(
    "smm (both management modules, flashed as a pair), Slot<N> (a blade's iBMC) or Swi<N>",
  ),
  version: z.string().min(1).max(80).describe(
    "Version the component must run, as the HMM prints it without the (Uxx) chip prefix, e.g. 7.63",
  ),
  version_line: z.string().optional().describe(
    "Version line compared (default: Software Version for smm and switches, Active iMana Version for blades)",
  ),
  image: z.string().min(1).describe("Path of the image flashed when the version differs"),
});

/** Desired and observed shape of one component's firmware. */
export type FirmwareAttributes = z.infer<typeof FirmwareModel>;

/** `slot3` → `Slot3`, `SWI2` → `Swi2`, `SMM` → `smm`. */
export function canonicalComponent(c: string): string {
  const m = /^(smm|slot|swi)(\d*)$/i.exec(c.trim());
  if (!m) {
    throw new ValidationError(`Invalid firmware component "${c}"`, {
      field: "component",
      hint: "Use smm, Slot1-Slot16 or Swi1-Swi4",
    });
  }
  const kind = m[1].toLowerCase();
  return kind === "smm" ? "smm" : `${kind === "slot" ? "Slot" : "Swi"}${m[2]}`;
}

function defaultLine(component: string): string {
  return component.startsWith("Slot") ? "Active iMana Version" : "Software Version";
}

/** `(U54)7.63` → `7.63`. */
export function stripChip(v: string): string {
  return v.replace(/^\(U\d+\)/, "").trim();
}

async function readFirmware(
  ctx: ResourceContext,
  component: string,
): Promise<Firmware | undefined> {
  const read = () => upgrade(ctx.chassis).inventory({ signal: ctx.signal });
  const all = ctx.memo ? await ctx.memo("firmware", read) : await read();
  return all.find((f) => f.component === component);
}

function toAttributes(
  component: string,
  line: string,
  f: Firmware,
): FirmwareAttributes | undefined {
  if (!f.present) return undefined;
  const v = f.versions[line];
  return { component, version: v === undefined ? "" : stripChip(v), version_line: line, image: "" };
}

/** The `vessel_firmware` resource definition. */
export const firmwareResource: ResourceDefinition<FirmwareAttributes> = {
  type: "vessel_firmware",
  description: "Firmware version of the management modules, a blade's iBMC or a switch module",
  schema: FirmwareModel,
  requiresReplace: ["component"],
  // The image is where the version comes from, not something the device reports.
  computed: ["image"],
  keepWhenUnset: ["version_line"],
  id: (d) => canonicalComponent(d.component),
  scopes: (d) => {
    const c = canonicalComponent(d.component);
    return c === "smm"
      ? ["hmm"]
      : c.startsWith("Slot")
      ? [`ibmc:blade${c.slice(4)}`]
      : [`switch:${c.toLowerCase()}`];
  },
  normalize(desired, live) {
    return {
      ...live,
      component: desired.component,
      ...(desired.version_line ? {} : { version_line: undefined }),
    };
  },
  disruption(action, desired) {
    if (action === "delete" || !desired) return undefined;
    const c = canonicalComponent(desired.component);
    if (c === "smm") {
      return {
        kind: "management_loss",
        summary: "both management modules restart in turn: the web UI, Redfish and consoles drop",
        expectedSeconds: 900,
      };
    }
    if (c.startsWith("Slot")) {
      return {
        kind: "console_drop",
        summary: `blade ${
          c.slice(4)
        }'s iBMC restarts: its console and management drop (the host keeps running)`,
        expectedSeconds: 300,
      };
    }
    return {
      kind: "link_flap",
      summary: `${c} reboots to load the new firmware: every port of the module goes down`,
      expectedSeconds: 600,
    };
  },
  async read(ctx, id) {
    const c = canonicalComponent(id);
    const f = await readFirmware(ctx, c);
    return f ? toAttributes(c, defaultLine(c), f) : undefined;
  },
  async create(ctx, d) {
    return await flash(ctx, d);
  },
  async update(ctx, d) {
    return await flash(ctx, d);
  },
  releaseOnDelete: true,
  delete() {
    // Firmware stays as it is: Vessel stops managing the version.
    return Promise.resolve();
  },
  parseId: (id) => ({ component: canonicalComponent(id) }),
};

async function flash(ctx: ResourceContext, d: FirmwareAttributes): Promise<FirmwareAttributes> {
  const c = canonicalComponent(d.component);
  const line = d.version_line ?? defaultLine(c);
  let data: Uint8Array;
  try {
    data = await Deno.readFile(d.image);
  } catch (e) {
    throw new ValidationError(`Cannot read firmware image ${d.image}: ${(e as Error).message}`, {
      field: "image",
      hint: "Give the path of the image file (relative to where vessel runs)",
    });
  }
  const name = d.image.slice(d.image.lastIndexOf("/") + 1);
  await upgrade(ctx.chassis).flash([c === "smm" ? "bothsmm" : c], { name, data }, {
    signal: ctx.signal,
  });
  const f = (await upgrade(ctx.chassis).inventory({ signal: ctx.signal })).find((x) =>
    x.component === c
  );
  const after = f ? toAttributes(c, line, f) : undefined;
  if (!after || after.version !== d.version) {
    throw new DeviceError(
      `Inconsistent result after apply: ${c} runs ${
        after?.version || "an unknown version"
      } after flashing ${name}, not ${d.version}`,
      {
        device: c === "smm" ? "hmm" : c.toLowerCase(),
        hint: "Check that the image carries the version given in version",
      },
    );
  }
  return { ...after, image: d.image, ...(d.version_line ? { version_line: d.version_line } : {}) };
}
