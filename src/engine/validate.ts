/**
 * Validate each declared block against its resource's zod schema, turning zod issues into
 * ConfigErrors that carry `file:line:col`, the field path and a "did you mean" for unknown
 * attributes.
 */
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { closest } from "../util/suggest.ts";
import type { Registry } from "./registry.ts";
import type { Attributes, ConfigDocument, ResourceBlock, ResourceDefinition } from "./types.ts";

/** A declared resource instance, validated. */
export interface DesiredInstance {
  address: string;
  block: ResourceBlock;
  definition: ResourceDefinition;
  attributes: Attributes;
}

/** Validate every block; throws the first error (positions make it easy to fix one by one). */
export function validateConfig(doc: ConfigDocument, registry: Registry): DesiredInstance[] {
  return doc.resources.map((block) => {
    const definition = registry.get(block.type, block.position);
    for (const [k, v] of Object.entries(block.body)) {
      if (typeof v === "string" && v.includes("${")) {
        throw new ConfigError(
          `${block.type}.${block.name}.${k}: expressions are not supported yet`,
          { position: block.attributePositions[k] ?? block.position, path: k },
        );
      }
    }
    const parsed = definition.schema.safeParse(block.body);
    if (!parsed.success) throw issueToError(block, definition, parsed.error);
    return {
      address: `${block.type}.${block.name}`,
      block,
      definition,
      attributes: parsed.data as Attributes,
    };
  });
}

function issueToError(
  block: ResourceBlock,
  def: ResourceDefinition,
  error: z.ZodError,
): ConfigError {
  const issue = error.issues[0];
  const addr = `${block.type}.${block.name}`;
  // deno-lint-ignore no-explicit-any
  const keys: string[] = (issue as any).keys ?? [];
  if (issue.code === "unrecognized_keys" && keys.length > 0) {
    const key = keys[0];
    // deno-lint-ignore no-explicit-any
    const shape = (def.schema as any).shape ?? (def.schema as any)._zod?.def?.shape ?? {};
    const guess = closest(key, Object.keys(shape));
    return new ConfigError(`${addr}: unknown attribute "${key}"`, {
      position: block.attributePositions[key] ?? block.position,
      path: `${addr}.${key}`,
      hint: guess
        ? `Did you mean "${guess}"?`
        : `Known attributes: ${Object.keys(shape).join(", ")}`,
    });
  }
  const field = issue.path.map(String).join(".");
  const top = String(issue.path[0] ?? "");
  const missing = block.body[top] === undefined && issue.path.length === 1;
  return new ConfigError(
    missing
      ? `${addr}.${field}: required attribute is missing`
      : `${addr}.${field}: ${issue.message}`,
    {
      position: block.attributePositions[top] ?? block.position,
      path: field ? `${addr}.${field}` : addr,
      hint: missing ? `Add ${field} = ... to the block` : undefined,
    },
  );
}
