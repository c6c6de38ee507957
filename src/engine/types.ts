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
  /** Write-only secrets: never stored in state in clear, never printed. */
  secrets?: readonly (keyof D & string)[];
  /** Stable device identity, e.g. `swi2/100`. Used for import and state. */
  id(desired: D): string;
  /** Device scopes the change touches, e.g. `switch:swi2` (snapshots and locks). */
  scopes(desired: D): string[];
  /** Human description of the disruption an action causes; undefined = none. */
  disruption?(action: PlanAction, desired: D | undefined, prior: D | undefined): string | undefined;
  /** Read the live object by id; `undefined` means it is gone. Returns the desired shape. */
  read(ctx: ResourceContext, id: string): Promise<D | undefined>;
  create(ctx: ResourceContext, desired: D): Promise<D>;
  update(ctx: ResourceContext, desired: D, prior: D): Promise<D>;
  delete(ctx: ResourceContext, prior: D): Promise<void>;
  /** Parse an import id into the identifying attributes (then `read` fills the rest). */
  parseId?(id: string): Partial<D>;
}

/** The closed set of plan actions, shown as `+ ~ -/+ -`. */
export type PlanAction = "create" | "update" | "replace" | "delete" | "noop";

/** One declared resource instance after loading. */
export interface ResourceBlock {
  type: string;
  name: string;
  /** Raw attributes as written (before validation). */
  body: Attributes;
  position: SourcePosition;
  /** Position of each top-level attribute, where known. */
  attributePositions: Record<string, SourcePosition>;
}

/** All configuration files, loaded into one intermediate form. */
export interface ConfigDocument {
  files: string[];
  resources: ResourceBlock[];
}
