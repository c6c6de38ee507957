import assert from "node:assert/strict";
import { NotFoundError, UnsupportedError, ValidationError } from "../../errors.ts";
import { checkHmmOutput, ibmcFabricAddress, switchFabricAddress } from "./shell.ts";

Deno.test("checkHmmOutput maps every documented HMM error string to a typed error", () => {
  const cases: [string, new (...a: never[]) => Error][] = [
    ["The data item does not exist.", UnsupportedError],
    ["Target is null,please input target.", ValidationError],
    ["The target does not exist, or the target does not support the dataitem.", NotFoundError],
    ["smmget:cli invalid data item or location error", NotFoundError],
    ["Please Operate: blade1 ~ blade32 swi1 ~ swi4", ValidationError],
    ["unknown command : cat", UnsupportedError],
    ["Invalid parameter", ValidationError],
  ];
  for (const [text, cls] of cases) {
    assert.throws(() => checkHmmOutput("smmget -d x", text), (e: unknown) => {
      assert.ok(e instanceof cls, `${text} -> ${cls.name}`);
      assert.equal((e as { details?: Record<string, unknown> }).details?.deviceMessage, text);
      return true;
    });
  }
  checkHmmOutput("smmget -l swi2 -d presence", "Swi2 is present.");
});

Deno.test("fabric addresses follow the E9000 plan", () => {
  assert.equal(ibmcFabricAddress(1), "172.31.1.129");
  assert.equal(ibmcFabricAddress(16), "172.31.1.144");
  assert.equal(switchFabricAddress(2), "172.31.1.162");
  assert.throws(() => ibmcFabricAddress(0), ValidationError);
  assert.throws(() => switchFabricAddress(5), ValidationError);
});
