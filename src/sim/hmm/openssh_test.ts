/**
 * The system OpenSSH clients (`ssh`, `sftp`) against the simulated HMM (one chassis for the file):
 * an interactive session with the restricted dispatcher, `cmdext`, `swiconfexport`, the jump into
 * an iBMC, the archive fetched with `sftp` (which must exit after `bye`), and `ssh -W` refused (no
 * TCP forwarding). Skips with a message when the client is not installed
 * (`apt-get install -y openssh-client`).
 */
import assert from "node:assert/strict";
import { startTestChassis } from "./test_util.ts";

function which(bin: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${bin}`).isFile) return `${dir}/${bin}`;
    } catch { /* next */ }
  }
  return undefined;
}

const SSH = which("ssh");
const SFTP = which("sftp");
if (!SSH) {
  console.warn(
    "hmm openssh_test: skipped, the OpenSSH client `ssh` is not on PATH " +
      "(install it with: apt-get install -y openssh-client)",
  );
}

const USER = "root";
const PASS = "Huawei12#$";

async function askpassDir(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await Deno.makeTempDir({ prefix: "vessel-hmm-ssh-" });
  const askpass = `${dir}/askpass.sh`;
  await Deno.writeTextFile(askpass, `#!/bin/sh\nprintf '%s\\n' "$SIM_PW"\n`, { mode: 0o700 });
  return {
    dir,
    env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0", SIM_PW: PASS },
  };
}

function sshOpts(dir: string, port: string): string[] {
  return [
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
    "-o",
    `Port=${port}`,
  ];
}

Deno.test({
  name: "runHmmShell works with the system OpenSSH clients",
  ignore: !SSH,
  async fn(t) {
    const c = await startTestChassis();
    const { dir, env } = await askpassDir();
    const u = new URL(c.hmm.endpoints.hmm.ssh);
    try {
      await t.step("ssh -tt: dispatcher, cmdext, export, jump into an iBMC", async () => {
        const child = new Deno.Command(SSH!, {
          args: ["-tt", ...sshOpts(dir, u.port), `${USER}@${u.hostname}`],
          env,
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const w = child.stdin.getWriter();
        const reader = child.stdout.getReader();
        let text = "";
        let mark = 0;
        /** Read until the output after the mark matches (waits for data, never for time). */
        const until = async (re: RegExp) => {
          while (!re.test(text.slice(mark))) {
            const { value, done } = await reader.read();
            if (done) {
              throw new Error(`ssh ended before ${re}: ${JSON.stringify(text.slice(mark))}`);
            }
            text += new TextDecoder().decode(value);
          }
          mark = text.length;
        };
        const send = (line: string) => w.write(new TextEncoder().encode(line + "\r"));
        const dialogue: [string, RegExp][] = [
          ["smmget -d version", /SMM> $/],
          ["cmdext -l", /Password: $/],
          [PASS, /SMM> $/],
          ["swiconfexport swi2", /SMM> $/],
          ["ssh 172.31.1.129 NoStricHostKeyChecking", /password: $/],
          [PASS, /root@BMC:\/#$/],
          ["ipmcget -d bootdevice", /root@BMC:\/#$/],
          ["exit", /SMM> $/],
          ["frobnicate", /SMM> $/],
        ];
        await until(/SMM> $/);
        for (const [line, next] of dialogue) {
          await send(line);
          await until(next);
        }
        await send("exit");
        await w.close();
        while (true) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
        const out = await child.status;
        const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
        assert.equal(out.code, 0, stderr);
        assert.match(text, /Software Version :\(U54\)7\.63/);
        assert.match(text, /Successed\r\nPlease check "\/tmp\/exchange\/swi2\/swi2\.tar\.gz"/);
        assert.match(text, /root@BMC:\/#/);
        assert.match(text, /Boot device: No override/);
        assert.match(text, /Connection to 172\.31\.1\.129 closed\./);
        assert.match(text, /unknown command : frobnicate/);
        assert.doesNotMatch(text, /Huawei12/, "passwords are never echoed");
      });

      await t.step({
        name: "sftp fetches the exported archive and exits after bye",
        ignore: !SFTP,
        async fn() {
          const remote = "/tmp/exchange/swi2/swi2.tar.gz";
          const local = `${dir}/swi2.tar.gz`;
          const child = new Deno.Command(SFTP!, {
            args: [...sshOpts(dir, u.port), `${USER}@${u.hostname}`],
            env,
            stdin: "piped",
            stdout: "null",
            stderr: "piped",
          }).spawn();
          // stderr is read as it comes: sftp's own ssh child holds the pipe open after a kill.
          const reader = child.stderr.getReader();
          let stderr = "";
          const pump = (async () => {
            for (;;) {
              const r = await reader.read().catch(() => ({ done: true, value: undefined }));
              if (r.done) return;
              stderr += new TextDecoder().decode(r.value);
            }
          })();
          // A deadline, not a synchronisation sleep: a client that never exits fails the step.
          let killed = false;
          const deadline = setTimeout(() => {
            killed = true;
            child.kill("SIGKILL");
          }, 10_000);
          const w = child.stdin.getWriter();
          await w.write(new TextEncoder().encode(`get ${remote} ${local}\nbye\n`));
          await w.close();
          const status = await child.status;
          clearTimeout(deadline);
          if (killed) await reader.cancel();
          await pump;
          assert.equal(killed, false, `sftp did not exit within 10 s after bye: ${stderr}`);
          assert.equal(status.code, 0, stderr);
          const got = await Deno.readFile(local);
          assert.deepEqual([got[0], got[1]], [0x1f, 0x8b], "a gzip file");
          assert.deepEqual(got, c.hmm.exported.get(remote));
        },
      });

      await t.step("ssh -W is refused as administratively prohibited", async () => {
        const out = await new Deno.Command(SSH!, {
          args: [...sshOpts(dir, u.port), "-W", "172.31.1.129:443", `${USER}@${u.hostname}`],
          env,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.notEqual(out.code, 0);
        assert.match(new TextDecoder().decode(out.stderr), /administratively prohibited/);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
      await c.close();
    }
  },
});
