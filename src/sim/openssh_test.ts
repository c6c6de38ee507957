import assert from "node:assert/strict";
import { startSimulator } from "./mod.ts";

function which(bin: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${bin}`).isFile) return `${dir}/${bin}`;
    } catch { /* next */ }
  }
  return undefined;
}

const SSH = which("ssh");
if (!SSH) {
  console.warn(
    "openssh_test: skipped, the OpenSSH client `ssh` is not on PATH " +
      "(install it with: apt-get install -y openssh-client)",
  );
}

Deno.test({
  name: "startSimulator switch accepts a session of the system OpenSSH client",
  ignore: !SSH,
  async fn() {
    if (!SSH) return;
    const sim = await startSimulator({ hmm: false, vrpMode: "two-stage" });
    const dir = await Deno.makeTempDir({ prefix: "vessel-ssh-" });
    try {
      // Password through SSH_ASKPASS (OpenSSH >= 8.4, SSH_ASKPASS_REQUIRE=force): no tty needed.
      const askpass = `${dir}/askpass.sh`;
      await Deno.writeTextFile(askpass, `#!/bin/sh\nprintf '%s\\n' "$SIM_PW"\n`, { mode: 0o700 });
      const u = new URL(sim.endpoints.switches.swi2.ssh);
      const cmd = new Deno.Command(SSH, {
        args: [
          "-tt",
          "-o",
          "StrictHostKeyChecking=no",
          "-o",
          `UserKnownHostsFile=${dir}/known_hosts`,
          "-o",
          "PreferredAuthentications=password,keyboard-interactive",
          "-o",
          "PubkeyAuthentication=no",
          "-o",
          "ConnectTimeout=5",
          "-p",
          u.port,
          `${sim.endpoints.credentials.username}@${u.hostname}`,
        ],
        env: {
          SSH_ASKPASS: askpass,
          SSH_ASKPASS_REQUIRE: "force",
          DISPLAY: ":0",
          SIM_PW: sim.endpoints.credentials.password,
        },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      });
      const child = cmd.spawn();
      const w = child.stdin.getWriter();
      await w.write(
        new TextEncoder().encode(
          "screen-length 0 temporary\rsystem-view\rvlan 42\rdescription from-openssh\rquit\rcommit\rdisplay vlan 42\rreturn\rquit\r",
        ),
      );
      await w.close();
      const out = await child.output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr) + text);
      assert.match(text, /<CX310_2>/);
      assert.match(text, /\[\*CX310_2-vlan42\]/);
      assert.match(text, /^ {2}42 common .* from-openssh/m);
      assert.equal(
        sim.switch("swi2").vlans().find((v) => v.id === 42)?.description,
        "from-openssh",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
      await sim.close();
    }
  },
});
