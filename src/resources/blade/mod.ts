export { bladeResource, parseBladeId } from "./resource.ts";
export { type BladeAttributes, BladeModel } from "./model.ts";
