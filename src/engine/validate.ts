/**
 * Static validation, before any device I/O: resolve variables, check every reference and the
 * graph (cycles), expand `for_each`/`count` where the collection is known, evaluate every block
 * with resource attributes treated as "known after apply", and check the values against each
 * resource's zod schema. Errors carry `file:line:col`, the field path and a "did you mean".
 *
 * @example
 * const desired = validateConfig(await loadConfig(["chassis.hcl"]), defaultRegistry());
 * @throws {ConfigError}
 */
import { Config, type LoadedVarFile, schemaKeys, type VariableInputs } from "./config.ts";
import { containsUnknown, UNKNOWN } from "./eval.ts";
import type { Registry } from "./registry.ts";
import type {
  Attributes,
  ConfigDocument,
  DataSourceDefinition,
  ResourceBlock,
  ResourceDefinition,
} from "./types.ts";

/** A declared resource instance, validated. Attributes may hold unknown values. */
export interface DesiredInstance {
  address: string;
  block: ResourceBlock;
  definition: ResourceDefinition;
  attributes: Attributes;
}

/**
 * Validate the whole configuration; throws the first error (positions make it easy to fix
 * one by one). Returns the managed instances that could be expanded statically.
 */
export function validateConfig(
  doc: ConfigDocument,
  registry: Registry,
  inputs: VariableInputs & { loadedVarFiles?: LoadedVarFile[] } = {},
): DesiredInstance[] {
  const config = Config.createSync(doc, registry, inputs);
  return validateStatic(config);
}

/**
 * {@link validateConfig} over an already built {@link Config}; `onData` receives each data
 * source instance whose arguments are known statically (the plan reads those early).
 */
export function validateStatic(
  config: Config,
  onData?: (address: string, type: string, attributes: Attributes) => void,
): DesiredInstance[] {
  const out: DesiredInstance[] = [];
  // Every resource and data value is unknown in this pass.
  for (const [addr, n] of config.nodes) {
    if (n.kind === "resource" || n.kind === "data") config.values.set(addr, UNKNOWN);
  }
  try {
    for (const addr of config.order) {
      const node = config.nodes.get(addr)!;
      if (node.kind === "local") {
        config.evalLocal(addr.slice("local.".length));
        continue;
      }
      if (node.kind === "output") {
        config.evalOutput(addr.slice("output.".length));
        continue;
      }
      const b = node.block!;
      const def = node.kind === "data"
        ? registry(config).getData(b.type, b.position)
        : registry(config).get(b.type, b.position);
      let instances;
      try {
        instances = config.expand(b);
      } catch (e) {
        // for_each over resource attributes is resolved at plan time.
        if (dependsOnResources(config, addr)) continue;
        throw e;
      }
      for (const i of instances) {
        const attrs = config.evalBody(i);
        const { attributes } = config.validate(i, def, attrs);
        config.lifecycle(i);
        if (node.kind === "data" && onData && !containsUnknown(attributes)) {
          onData(i.address, b.type, attributes);
        }
        if (node.kind === "resource") {
          out.push({
            address: i.address,
            block: b,
            definition: def as ResourceDefinition,
            attributes,
          });
        }
      }
      // What later blocks see: every attribute name of the schema, values unknown, so that a
      // misspelt attribute is caught here, before any device I/O.
      const result = (def as DataSourceDefinition).result;
      const keys = node.kind === "resource"
        ? [...schemaKeys(def.schema), "id"]
        : result
        ? [...schemaKeys(def.schema), ...schemaKeys(result)]
        : undefined;
      if (keys) {
        const stub = () => Object.fromEntries(keys.map((k) => [k, UNKNOWN]));
        if (b.body.for_each !== undefined) {
          config.values.set(
            addr,
            Object.fromEntries(instances.map((i) => [String(i.key), stub()])),
          );
        } else if (b.body.count !== undefined) config.values.set(addr, instances.map(stub));
        else config.values.set(addr, stub());
      }
    }
  } finally {
    for (const [addr, n] of config.nodes) {
      if (n.kind === "resource" || n.kind === "data") config.values.delete(addr);
    }
    for (const k of [...config.values.keys()]) if (k.startsWith("local.")) config.values.delete(k);
  }
  return out;
}

function registry(config: Config): Registry {
  return config.registry;
}

function dependsOnResources(config: Config, addr: string): boolean {
  return [...config.nodes.get(addr)?.deps ?? []].some((d) => {
    const k = config.nodes.get(d)?.kind;
    return k === "resource" || k === "data" || (k === "local" && dependsOnResources(config, d));
  });
}
