import assert from "node:assert/strict";

const MAIN = new URL("../cmd/main.ts", import.meta.url).pathname;

async function vessel(args: string[], env: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("serveCommand serves HTTPS with a token made by `serve token create` and stops on Ctrl-C", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vessel-serve-test-" });
  const env = { VESSEL_STATE: `${dir}/vessel.db`, VESSEL_SNAPSHOTS_DIR: `${dir}/snapshots` };
  try {
    const token = await vessel(
      ["serve", "token", "create", "--name", "t", "--role", "viewer"],
      env,
    );
    assert.match(token, /^vsl_/);
    await vessel(["serve", "user", "add", "alice", "--role", "operator"], {
      ...env,
      VESSEL_API_PASSWORD: "alice-password",
    });
    const listed = await vessel(["--output", "json", "serve", "token", "list"], env);
    assert.ok(!listed.includes(token.split("_")[2]), "token list shows the secret");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        MAIN,
        "--chassis",
        "sim://",
        "--output",
        "json",
        "serve",
        "--port",
        "0",
      ],
      env: { ...env, VESSEL_API_ADMIN_PASSWORD: "bootstrap-admin-pw" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Collected for failure messages (and drained so the child never blocks on it).
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let stopped = false;
    try {
      // The first stdout line is the server's JSON (printed once it listens).
      let text = "";
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      let info: { url: string; tls: { ca_file: string } };
      try {
        info = JSON.parse(text.split("\n")[0]);
      } catch {
        throw new Error(`vessel serve printed ${JSON.stringify(text)}`);
      }
      assert.match(info.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = await Deno.readTextFile(info.tls.ca_file);
      const client = Deno.createHttpClient({ caCerts: [ca] });
      try {
        const r = await fetch(`${info.url}/api/v1/switches`, {
          client,
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(r.status, 200);
        assert.ok((await r.json()).some((s: { name: string }) => s.name === "swi2"));
        const anon = await fetch(`${info.url}/api/v1/switches`, { client });
        assert.equal(anon.status, 401);
        await anon.body?.cancel();
        // The bootstrap admin (from the environment) and a user added by the CLI can log in.
        for (
          const [username, password, role] of [
            ["admin", "bootstrap-admin-pw", "admin"],
            ["alice", "alice-password", "operator"],
          ]
        ) {
          const login: Response = await fetch(`${info.url}/api/v1/auth/login`, {
            client,
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ username, password }),
          });
          assert.equal(login.status, 200, username);
          assert.equal((await login.json()).role, role);
          // Served over TLS: the session cookie is Secure.
          assert.match(login.headers.getSetCookie()[0], /Secure/);
        }
      } finally {
        client.close();
      }
      child.kill("SIGINT");
      stopped = true;
      const status = await child.status;
      assert.equal(status.code, 0, await stderr);
    } catch (e) {
      if (!stopped) {
        child.kill("SIGKILL");
        await child.status;
      }
      throw new Error(`${(e as Error).message}\nserver stderr: ${await stderr}`, { cause: e });
    } finally {
      await reader.cancel().catch(() => {});
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
