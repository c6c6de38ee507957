/**
 * The resource registry: every `vessel_*` type the engine knows, looked up by name.
 * Definitions register themselves from `src/resources/mod.ts`.
 *
 * @example
 * const def = registry.get("vessel_vlan", position);
 * @throws {ConfigError} unknown type, with a "did you mean"
 */
import { ConfigError, type SourcePosition } from "../errors.ts";
import { closest } from "../util/suggest.ts";
import type { Attributes, DataSourceDefinition, ResourceDefinition } from "./types.ts";

/** A set of resource definitions keyed by type. */
export class Registry {
  #defs = new Map<string, ResourceDefinition>();
  #data = new Map<string, DataSourceDefinition>();

  /** Add a data source definition. */
  registerData<A extends Attributes, R extends Attributes>(def: DataSourceDefinition<A, R>): this {
    if (this.#data.has(def.type)) throw new Error(`Data source ${def.type} registered twice`);
    this.#data.set(def.type, def as unknown as DataSourceDefinition);
    return this;
  }

  /** Look up a data source; unknown types raise a ConfigError with a suggestion. */
  getData(type: string, position?: SourcePosition): DataSourceDefinition {
    const def = this.#data.get(type);
    if (def) return def;
    const guess = closest(type, [...this.#data.keys()]);
    throw new ConfigError(`Unknown data source "${type}"`, {
      position,
      hint: guess
        ? `Did you mean "${guess}"?`
        : `Known data sources: ${[...this.#data.keys()].sort().join(", ") || "none"}`,
    });
  }

  /** Every data source type. */
  dataTypes(): string[] {
    return [...this.#data.keys()].sort();
  }

  /** Add a definition; a second definition of the same type is a programming error. */
  register<D extends Attributes>(def: ResourceDefinition<D>): this {
    if (this.#defs.has(def.type)) throw new Error(`Resource type ${def.type} registered twice`);
    this.#defs.set(def.type, def as unknown as ResourceDefinition);
    return this;
  }

  /** Look up a type; unknown types raise a ConfigError at `position` with a suggestion. */
  get(type: string, position?: SourcePosition): ResourceDefinition {
    const def = this.#defs.get(type);
    if (def) return def;
    const guess = closest(type, [...this.#defs.keys()]);
    throw new ConfigError(`Unknown resource type "${type}"`, {
      position,
      hint: guess ? `Did you mean "${guess}"?` : `Known types: ${this.types().join(", ")}`,
    });
  }

  /** True when `type` is a registered resource type. */
  has(type: string): boolean {
    return this.#defs.has(type);
  }

  /** Every resource type, sorted. */
  types(): string[] {
    return [...this.#defs.keys()].sort();
  }
}
