export { vlanResource } from "./resource.ts";
export { type VlanAttributes, VlanModel } from "./model.ts";
