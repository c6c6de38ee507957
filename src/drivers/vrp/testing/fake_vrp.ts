/**
 * A tiny in-test VRP CLI over a real ssh2 server, for the driver's own mechanics tests (pager
 * erase sequences, questions, commit failures, deadlines). Not the simulator: `src/sim` is the
 * product's independent device model; this fake only plays back the manners the driver must
 * cope with, including ones the simulator may not produce.
 */
import ssh2 from "ssh2";
import type { AddressInfo } from "node:net";

/** Knobs of the fake. */
export interface FakeVrpOptions {
  sysname?: string;
  mode?: "immediate" | "two-stage";
  /** `screen-length 0 temporary` is rejected: the driver must page with `---- More ----`. */
  noScreenLength?: boolean;
  /** Lines per page when paging is on. */
  pageLines?: number;
  /** The next `commit` fails. */
  failCommit?: boolean;
  /** Commands that never answer (to test deadlines). */
  hang?: string[];
  username?: string;
  password?: string;
  /** Use `\r +\r` instead of ESC[nD to erase the pager marker. */
  crErase?: boolean;
}

/** A running fake. */
export interface FakeVrp {
  port: number;
  hostKey: string;
  opts: FakeVrpOptions;
  vlans: Map<number, { name?: string; description?: string }>;
  /** Every line received, in order. */
  received: string[];
  /** Password authentication attempts seen. */
  authAttempts(): number;
  close(): Promise<void>;
}

/**
 * An ed25519 key ssh2 can parse: under Deno about 1 in 250 generated keys is malformed (a public
 * key starting with a zero byte is written 31 bytes long), which made the fake's start flaky.
 */
function validEd25519(): { private: string; public: string } {
  for (;;) {
    const k = ssh2.utils.generateKeyPairSync("ed25519");
    if (
      !(ssh2.utils.parseKey(k.private) instanceof Error) &&
      !(ssh2.utils.parseKey(k.public) instanceof Error)
    ) return k;
  }
}

/** Starts the fake on 127.0.0.1 with an OS-chosen port. */
export async function startFakeVrp(opts: FakeVrpOptions = {}): Promise<FakeVrp> {
  const sys = opts.sysname ?? "swi2";
  const user = opts.username ?? "admin";
  const pass = opts.password ?? "Admin@123";
  const key = validEd25519();
  const vlans = new Map<number, { name?: string; description?: string }>([[1, {}]]);
  const received: string[] = [];
  let attempts = 0;
  const conns = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [key.private] }, (client) => {
    conns.add(client);
    // deno-lint-ignore no-explicit-any
    (client as any)._sock?.setNoDelay?.(true);
    client.on("close", () => conns.delete(client));
    client.on("error", () => {});
    client.on("authentication", (ctx) => {
      if (ctx.method === "password") attempts++;
      if (ctx.method === "password" && ctx.username === user && ctx.password === pass) {
        ctx.accept();
      } else ctx.reject(["password"]);
    });
    client.on("ready", () => {
      client.on("session", (accept) => {
        const session = accept();
        session.on("pty", (a) => a?.());
        session.on("shell", (accept) => {
          const ch = accept();
          runCli(ch);
        });
      });
    });
  });
  const runCli = (ch: ssh2.ServerChannel) => {
    let paging = true;
    let view: "user" | "system" = "user";
    let sub = "";
    let pending: (() => void)[] = [];
    let line = "";
    let question: ((ans: string) => void) | undefined;
    let pager: { rest: string[] } | undefined;
    const two = (opts.mode ?? "immediate") === "two-stage";
    const prompt = () =>
      view === "user" ? `<${sys}>` : `[${two ? (pending.length ? "*" : "~") : ""}${sys}${sub}]`;
    const out = (s: string) => ch.write(s.replace(/\n/g, "\r\n"));
    const page = (lines: string[]) => {
      const n = opts.pageLines ?? 4;
      if (!paging || lines.length <= n) {
        out(lines.join("\n") + "\n" + prompt());
        return;
      }
      out(lines.slice(0, n).join("\n") + "\n  ---- More ----");
      pager = { rest: lines.slice(n) };
    };
    const err = (msg: string) => out(`\n        ^\nError: ${msg}\n${prompt()}`);
    out(`\nInfo: The max number of VTY users is 5.\n\n${prompt()}`);
    const exec = (cmd: string) => {
      received.push(cmd);
      const c = cmd.trim();
      if (opts.hang?.includes(c)) return;
      let m: RegExpExecArray | null;
      if (c === "") return out("\n" + prompt());
      if (c === "screen-length 0 temporary") {
        if (opts.noScreenLength) return err("Unrecognized command found at '^' position.");
        paging = false;
        return out(
          "\nInfo: The configuration takes effect on the current user terminal interface only.\n" +
            prompt(),
        );
      }
      if (c === "display vlan") {
        const rows = [...vlans.keys()].sort((a, b) => a - b).flatMap((id) =>
          id === 1
            ? ["1    common  UT:10GE2/1/1(U)     10GE2/1/2(D)", "                10GE2/1/3(U)"]
            : [`${String(id).padEnd(5)}common`]
        );
        const lines = [
          `The total number of vlans is : ${vlans.size}`,
          "U: Up;         D: Down;         TG: Tagged;         UT: Untagged;",
          "",
          "VID  Type    Ports",
          "--------------------------------------------------------------------------------",
          ...rows,
        ];
        return page(["", ...lines]);
      }
      if (c === "display current-configuration") {
        const lines = [
          "#",
          `sysname ${sys}`,
          "#",
          `vlan batch ${[...vlans.keys()].filter((i) => i !== 1).join(" ")}`,
          "#",
        ];
        for (const [id, v] of [...vlans].sort((a, b) => a[0] - b[0])) {
          if (!v.name && !v.description) continue;
          lines.push(`vlan ${id}`);
          if (v.name) lines.push(` name ${v.name}`);
          if (v.description) lines.push(` description ${v.description}`);
          lines.push("#");
        }
        lines.push("return");
        return page(["", ...lines]);
      }
      if (c === "save") {
        out("\nWarning: The current configuration will be written to the device. Continue? [Y/N]:");
        question = (a) => {
          if (/^y/i.test(a)) out("\nInfo: Save the configuration successfully.\n" + prompt());
          else out("\n" + prompt());
        };
        return;
      }
      if (c === "system-view" && view === "user") {
        view = "system";
        return out("\nEnter system view, return user view with Ctrl+Z.\n" + prompt());
      }
      if (view === "system") {
        const apply = (fn: () => void) => (two ? pending.push(fn) : fn());
        if ((m = /^vlan (\d+)$/.exec(c))) {
          const id = Number(m[1]);
          if (id < 1 || id > 4094) return err("Wrong parameter found at '^' position.");
          apply(() => vlans.has(id) || vlans.set(id, {}));
          if (two && !vlans.has(id)) pending.push(() => {});
          sub = `-vlan${id}`;
          return out("\n" + prompt());
        }
        if ((m = /^undo vlan (\d+)$/.exec(c))) {
          const id = Number(m[1]);
          if (!vlans.has(id)) return err("The VLAN does not exist.");
          apply(() => vlans.delete(id));
          return out("\n" + prompt());
        }
        const cur = () => Number(sub.replace("-vlan", ""));
        const at = cur();
        const target = () => {
          if (!vlans.has(at)) vlans.set(at, {});
          return vlans.get(at)!;
        };
        if (sub && (m = /^name (.+)$/.exec(c))) {
          const v = m[1];
          apply(() => target().name = v);
          return out("\n" + prompt());
        }
        if (sub && (m = /^description (.+)$/.exec(c))) {
          const v = m[1];
          apply(() => target().description = v);
          return out("\n" + prompt());
        }
        if (sub && c === "undo name") {
          apply(() => delete target().name);
          return out("\n" + prompt());
        }
        if (sub && c === "undo description") {
          apply(() => delete target().description);
          return out("\n" + prompt());
        }
        if (c === "quit") {
          if (sub) sub = "";
          else view = "user";
          return out("\n" + prompt());
        }
        if (c === "commit" && two) {
          if (opts.failCommit) {
            opts.failCommit = false;
            return out("\nError: The configuration fails to be committed.\n" + prompt());
          }
          for (const f of pending) f();
          pending = [];
          return out("\n" + prompt());
        }
        if (c === "clear configuration candidate" && two) {
          pending = [];
          return out("\n" + prompt());
        }
        if (c === "return") {
          if (two && pending.length) {
            out(
              "\nWarning: Uncommitted configurations found. Commit them before exiting? [Y(yes)/N(no)/C(cancel)]:",
            );
            question = (a) => {
              if (/^y/i.test(a)) { for (const f of pending) f(); }
              pending = [];
              view = "user";
              sub = "";
              out("\n" + prompt());
            };
            return;
          }
          view = "user";
          sub = "";
          return out("\n" + prompt());
        }
      }
      if (c === "quit" && view === "user") {
        ch.end();
        return;
      }
      return err("Unrecognized command found at '^' position.");
    };
    ch.on("data", (d: Uint8Array) => {
      for (const chr of new TextDecoder().decode(d)) {
        if (pager) {
          if (chr === " ") {
            const n = opts.pageLines ?? 4;
            const next = pager.rest.slice(0, n);
            pager.rest = pager.rest.slice(n);
            const erase = opts.crErase
              ? "\r                \r"
              : "\x1b[16D                \x1b[16D";
            if (pager.rest.length) out(erase + next.join("\n") + "\n  ---- More ----");
            else {
              pager = undefined;
              out(erase + next.join("\n") + "\n" + prompt());
            }
          }
          continue;
        }
        if (chr === "\r" || chr === "\n") {
          const l = line;
          line = "";
          if (question) {
            const q = question;
            question = undefined;
            q(l);
          } else exec(l);
          continue;
        }
        line += chr;
        ch.write(chr); // echo
      }
    });
    ch.on("error", () => {});
  };
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hostKey: key.public,
    opts,
    vlans,
    received,
    authAttempts: () => attempts,
    close: () =>
      new Promise<void>((r) => {
        for (const c of conns) c.end();
        server.close(() => r());
      }),
  };
}
