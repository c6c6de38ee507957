/**
 * Port, interface, LLDP and version parsers: they live in `display.ts` (one parser per display
 * command); re-exported here for older imports.
 *
 * @module
 */
export {
  parseDisplayVersion,
  parseInterfaceBrief,
  parseLldpNeighborBrief,
  parsePortVlan,
  parseVlanRanges,
  vlanListChunks,
  type VrpInterfaceBrief,
  type VrpLldpNeighbor,
  type VrpPortVlan,
  type VrpVersion,
} from "./display.ts";
