/**
 * Shapes shared by the engine and every resource definition.
 *
 * A resource definition is one typed object: name, desired schema (zod, `.describe()` on every
 * field), identity, read/create/update/delete, field flags and the scopes it touches. The engine
 * never talks to a device itself: it calls the definition, which calls the SDK.
 */
import type { z } from "zod";
import type { SourcePosition } from "../errors.ts";

/** What a resource operation receives: the open SDK handle and a cancellation signal. */
export interface ResourceContext {
  // deno-lint-ignore no-explicit-any
  chassis: any;
  signal?: AbortSignal;
  /**
   * Plan-scoped memo: reads may share one device call (e.g. one `display vlan` per switch for
   * every VLAN of the plan). Absent during apply, where reads must be fresh.
   */
  memo?<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Plain attribute values of one resource instance. */
export type Attributes = Record<string, unknown>;

/** A `vessel_*` resource type. `D` is the desired (and observed, normalised) shape. */
export interface ResourceDefinition<D extends Attributes = Attributes> {
  /** `vessel_<thing>`. */
  type: string;
  /** One line for docs and `--help`. */
  description: string;
  /** Desired-state schema; parse applies defaults. */
  schema: z.ZodType<D>;
  /** Attributes whose change forces delete-then-create (`-/+`). */
  requiresReplace: readonly (keyof D & string)[];
  /** Attributes the device fills in (never compared). */
  computed?: readonly (keyof D & string)[];
  /**
   * Attributes the device keeps when the configuration leaves them out (Terraform's optional +
   * computed): compared only when the configuration sets them.
   */
  keepWhenUnset?: readonly (keyof D & string)[];
  /**
   * Adjust a live read before it is compared with `desired` (device-filled defaults, case,
   * order), so that a second plan never shows a phantom diff.
   */
  normalize?(desired: D, live: D): D;
  /** Write-only secrets: never stored in state in clear, never printed. */
  secrets?: readonly (keyof D & string)[];
  /** Stable device identity, e.g. `swi2/100`. Used for import and state. */
  id(desired: D): string;
  /** Device scopes the change touches, e.g. `switch:swi2` (snapshots and locks). */
  scopes(desired: D): string[];
  /**
   * The disruption an action causes (a sentence, or a structured {@link Disruption} with its kind
   * and expected duration); undefined = none.
   */
  disruption?(
    action: PlanAction,
    desired: D | undefined,
    prior: D | undefined,
  ): string | Disruption | undefined;
  /** Read the live object by id; `undefined` means it is gone. Returns the desired shape. */
  read(ctx: ResourceContext, id: string): Promise<D | undefined>;
  create(ctx: ResourceContext, desired: D): Promise<D>;
  update(ctx: ResourceContext, desired: D, prior: D): Promise<D>;
  delete(ctx: ResourceContext, prior: D): Promise<void>;
  /** Parse an import id into the identifying attributes (then `read` fills the rest). */
  parseId?(id: string): Partial<D>;
  /**
   * Removing the block only releases the object: `delete` changes nothing on the device (a blade,
   * a port, a settings page). The plan says so, and apply does not expect it gone.
   */
  releaseOnDelete?: boolean;
  /** Refuse a delete the device can never perform (e.g. VLAN 1): the reason, or undefined. */
  canDelete?(live: D): string | undefined;
  /**
   * Notes for the plan about the target (e.g. "slot 5 is empty: the profile takes effect when a
   * blade is inserted").
   */
  planNotes?(ctx: ResourceContext, desired: D): Promise<string[]>;
}

/** Kinds of service impact a step can have (Terraform plans hide these; Vessel shows them). */
export type DisruptionKind =
  | "none"
  | "blade_reboot"
  | "link_flap"
  | "console_drop"
  | "traffic_loss"
  | "management_loss";

/** What a step does to running services. */
export interface Disruption {
  kind: DisruptionKind;
  /** One sentence, e.g. "blade 3 reboots to apply the profile". */
  summary: string;
  /** Expected duration of the impact in seconds, when known. */
  expectedSeconds?: number;
}

/** The closed set of plan actions, shown as `+ ~ -/+ -`. */
export type PlanAction = "create" | "update" | "replace" | "delete" | "noop";

/** The file a block came from (for positions inside expressions). */
export interface BlockSource {
  file: string;
  text: string;
}

/** One declared `resource` (or, with `mode: "data"`, `data`) block after loading. */
export interface ResourceBlock {
  type: string;
  name: string;
  /** `managed` (default) or `data`. */
  mode?: "managed" | "data";
  /** Raw attributes as written (before evaluation and validation); strings are templates. */
  body: Attributes;
  position: SourcePosition;
  /** Position of each top-level attribute, where known. */
  attributePositions: Record<string, SourcePosition>;
  source?: BlockSource;
}

/** A `variable` or `output` block. */
export interface NamedBlock {
  name: string;
  body: Attributes;
  position: SourcePosition;
  attributePositions: Record<string, SourcePosition>;
  source?: BlockSource;
}

/** One entry of a `locals` block. */
export interface LocalValue {
  name: string;
  value: unknown;
  position: SourcePosition;
  source?: BlockSource;
}

/** All configuration files, loaded into one intermediate form. */
export interface ConfigDocument {
  files: string[];
  resources: ResourceBlock[];
  data?: ResourceBlock[];
  variables?: NamedBlock[];
  locals?: LocalValue[];
  outputs?: NamedBlock[];
}

/** A `data "vessel_*"` source: reads something from the chassis during plan. */
export interface DataSourceDefinition<
  A extends Attributes = Attributes,
  R extends Attributes = Attributes,
> {
  /** `vessel_<thing>`. */
  type: string;
  description: string;
  /** Arguments schema (what the block sets). */
  schema: z.ZodType<A>;
  /** Result schema (documentation and JSON Schema). */
  result?: z.ZodType<R>;
  /** Device scopes the read touches (per-device caps). */
  scopes?(args: A): string[];
  /** Read; the result is merged over the arguments. */
  read(ctx: ResourceContext, args: A): Promise<R>;
}
