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
import { computeProfileResource, macPoolResource, uuidPoolResource } from "./stateless/mod.ts";
import { switchProfileResource, vnicProfileResource } from "./easylink/mod.ts";
import { ldapResource, ntpResource, userResource } from "./system/mod.ts";
import {
  alarmSubscriptionResource,
  chassisSettingsResource,
  powerPolicyResource,
} from "./settings/mod.ts";
import { mgmtNetworkResource } from "./mgmt_network/mod.ts";
import { bladeMacsData, networkOverviewData, networkPortsData } from "./network_info/mod.ts";

/** A registry with every built-in `vessel_*` resource. */
export function defaultRegistry(): Registry {
  return new Registry()
    .register(vlanResource)
    .register(bladeResource)
    .register(switchPortResource)
    .register(lagResource)
    .register(firmwareResource)
    .register(computeProfileResource)
    .register(macPoolResource)
    .register(uuidPoolResource)
    .register(vnicProfileResource)
    .register(switchProfileResource)
    .register(userResource)
    .register(ntpResource)
    .register(ldapResource)
    .register(chassisSettingsResource)
    .register(powerPolicyResource)
    .register(alarmSubscriptionResource)
    .register(mgmtNetworkResource)
    .registerData(inventoryData)
    .registerData(networkOverviewData)
    .registerData(networkPortsData)
    .registerData(bladeMacsData);
}
