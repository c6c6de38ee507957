/**
 * Every resource type Vessel knows, registered in one place.
 *
 * @example
 * const registry = defaultRegistry();
 * registry.get("vessel_vlan");
 */
import { Registry } from "../engine/registry.ts";
import { vlanResource } from "./vlan/mod.ts";
import { bladeResource } from "./blade/mod.ts";
import { inventoryData } from "./inventory/mod.ts";
import { switchPortResource } from "./switch_port/mod.ts";
import { lagResource } from "./lag/mod.ts";
import { firmwareResource } from "./firmware/mod.ts";

/** A registry with every built-in `vessel_*` resource. */
export function defaultRegistry(): Registry {
  return new Registry()
    .register(vlanResource)
    .register(bladeResource)
    .register(switchPortResource)
    .register(lagResource)
    .register(firmwareResource)
    .registerData(inventoryData);
}
