/**
 * The simulator's SSH layer: input typed ahead (several lines sent back to back, as scripts and
 * pasted text do) reaches the device in order, none stranded.
 */
import assert from "node:assert/strict";
import { startSimulator } from "./mod.ts";
import { openShell, PROMPT_RE } from "./testing.ts";

Deno.test("createSshServer delivers type-ahead lines in order", async () => {
  const sim = await startSimulator({ hmm: false });
  try {
    const { username, password } = sim.endpoints.credentials!;
    const sh = await openShell(sim.endpoints.switches.swi2.ssh, username, password);
    try {
      await sh.waitFor(PROMPT_RE);
      await sh.cmd("screen-length 0 temporary");
      for (let round = 0; round < 20; round++) {
        sh.mark();
        // Separate writes, back to back, before any answer: both must run.
        sh.send("display device\r");
        sh.send("display version\r");
        const seg = await sh.waitFor(/VRP \(R\) software[\s\S]*<[^>]+>\s*$/, 3000);
        assert.ok(seg.indexOf("display device") < seg.indexOf("display version"), seg);
      }
    } finally {
      await sh.close();
    }
  } finally {
    await sim.close();
  }
});
