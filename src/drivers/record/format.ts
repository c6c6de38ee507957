/**
 * The recording line format as zod schemas (docs/recordings.md), and a reader. The simulator's
 * replay mode must not import drivers (the wall): it reads the same JSON by the documented format.
 */
import { z } from "zod";
import { ConfigError } from "../../errors.ts";
import { RECORDING_VERSION } from "./recorder.ts";

const base = {
  v: z.literal(RECORDING_VERSION),
  seq: z.number().int().positive(),
  ts: z.string(),
  device: z.string(),
};

/** An `http` line. */
export const HttpLineSchema = z.object({
  ...base,
  kind: z.literal("http"),
  request: z.object({
    method: z.string(),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string().optional(),
  }),
  response: z.object({
    status: z.number().int(),
    headers: z.record(z.string(), z.string()),
    body: z.string().optional(),
  }).optional(),
  error: z.string().optional(),
  ms: z.number(),
});

/** An `ssh` line. */
export const SshLineSchema = z.object({
  ...base,
  kind: z.literal("ssh"),
  command: z.string(),
  output: z.string(),
  prompt: z.string().optional(),
  secret: z.boolean().optional(),
  error: z.string().optional(),
  ms: z.number(),
});

/** An `event` line. */
export const EventLineSchema = z.object({
  ...base,
  kind: z.literal("event"),
  event: z.string(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

/** Any recording line. */
export const RecordingLineSchema = z.discriminatedUnion("kind", [
  HttpLineSchema,
  SshLineSchema,
  EventLineSchema,
]);
/** Any recording line. */
export type RecordingLine = z.infer<typeof RecordingLineSchema>;

/**
 * Reads and validates a recording file.
 *
 * @example
 * const lines = await readRecording("capture/vessel-2026-11-25T19-50-00-000Z-123.jsonl");
 * @throws {ConfigError} naming the file, line and field of the first invalid line
 */
export async function readRecording(path: string): Promise<RecordingLine[]> {
  const text = await Deno.readTextFile(path);
  const out: RecordingLine[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    let j: unknown;
    try {
      j = JSON.parse(line);
    } catch (e) {
      throw new ConfigError(
        `Recording ${path} line ${i + 1} is not JSON: ${(e as Error).message}`,
        {
          position: { file: path, line: i + 1 },
        },
      );
    }
    const r = RecordingLineSchema.safeParse(j);
    if (!r.success) {
      const iss = r.error.issues[0];
      throw new ConfigError(
        `Recording ${path} line ${i + 1}: ${iss.path.join(".") || "(root)"} ${iss.message}`,
        {
          position: { file: path, line: i + 1 },
          path: iss.path.join("."),
        },
      );
    }
    out.push(r.data);
  }
  return out;
}
