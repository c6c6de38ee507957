import assert from "node:assert/strict";
import ssh2 from "ssh2";
import { gunzipSync } from "node:zlib";
import { execOnce, openShell, parseSshUrl } from "../testing.ts";
import { startTestChassis } from "./test_util.ts";

const USER = "root";
const PASS = "Huawei12#$";
const PROMPT = /SMM> $/;
const IBMC = /root@BMC:\/#$/;

/** Read a whole file over SFTP. */
function sftpGet(url: string, path: string): Promise<Uint8Array> {
  const { host, port } = parseSshUrl(url);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on("error", reject);
    client.on("ready", () => {
      client.sftp((err, sftp) => {
        if (err) return reject(err);
        sftp.readFile(path, (e: Error | null | undefined, data: Uint8Array) => {
          client.end();
          if (e) reject(e);
          else resolve(new Uint8Array(data));
        });
      });
    });
    client.connect({ host, port, username: USER, password: PASS, hostVerifier: () => true });
  });
}

/** Try a direct-tcpip channel; resolves with the refusal reason code. */
function forwardRefusal(url: string): Promise<string> {
  const { host, port } = parseSshUrl(url);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on("error", reject);
    client.on("ready", () => {
      client.forwardOut("127.0.0.1", 50000, "172.31.1.129", 443, (err, stream) => {
        client.end();
        // SSH_OPEN_ADMINISTRATIVELY_PROHIBITED = 1 (RFC 4254 §5.1).
        if (err) resolve(String((err as Error & { reason?: number }).reason));
        else {
          stream.end();
          reject(new Error("direct-tcpip was accepted"));
        }
      });
    });
    client.connect({ host, port, username: USER, password: PASS, hostVerifier: () => true });
  });
}

/** Names in a tar archive. */
function tarNames(tar: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  const dec = new TextDecoder();
  while (off + 512 <= tar.length && tar[off] !== 0) {
    const h = tar.subarray(off, off + 512);
    const name = dec.decode(h.subarray(0, 100)).replace(/\0.*$/s, "");
    const size = parseInt(dec.decode(h.subarray(124, 136)).replace(/\0.*$/s, "").trim() || "0", 8);
    out.set(name, dec.decode(tar.subarray(off + 512, off + 512 + size)));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

Deno.test("runHmmShell", async (t) => {
  const c = await startTestChassis();
  const url = c.hmm.endpoints.hmm.ssh;
  const sh = await openShell(url, USER, PASS);
  try {
    await sh.waitFor(PROMPT);

    await t.step("ordinary Unix commands are unknown to the dispatcher", async () => {
      assert.match(await sh.cmd("ls -l", PROMPT), /unknown command : ls\r\n/);
      assert.match(await sh.cmd("routedis", PROMPT), /unknown command : routedis/);
    });

    await t.step("smmget items and their exact error strings", async () => {
      const v = await sh.cmd("smmget -d version", PROMPT);
      assert.match(v, /Software Version :\(U54\)7\.63\r\n/);
      assert.match(
        await sh.cmd("smmget -d gateway", PROMPT),
        /Configuration gateway: 192\.168\.1\.1\r\nActive gateway: 192\.168\.1\.1/,
      );
      assert.match(await sh.cmd("smmget -d timezone", PROMPT), /Time Zone: GMT\+0/);
      assert.match(await sh.cmd("smmget -d presence", PROMPT), /SMM is present\./);
      assert.match(await sh.cmd("smmget -l blade1 -d presence", PROMPT), /Blade1 is present\./);
      assert.match(await sh.cmd("smmget -l swi2 -d presence", PROMPT), /Swi2 is present\./);
      assert.match(await sh.cmd("smmget -l blade3 -d health", PROMPT), /blade3 has no problem\./);
      assert.match(
        await sh.cmd("smmget -l blade1 -d biosbootmode", PROMPT),
        /\r\n(enable|disable)\r\n/,
      );
      assert.match(
        await sh.cmd("smmget -l blade1 -d macaddress", PROMPT),
        /\r\n([0-9A-F]{2}:){5}[0-9A-F]{2}\r\n/,
      );
      assert.match(await sh.cmd("smmget -d sysinfo", PROMPT), /The data item does not exist\./);
      assert.match(
        await sh.cmd("smmget -l hmm1 -d presence", PROMPT),
        /smmget:cli invalid data item or location error/,
      );
      assert.match(
        await sh.cmd("smmget -d health", PROMPT),
        /Please Operate: blade1 ~ blade32 swi1 ~ swi4/,
      );
      assert.match(
        await sh.cmd("smmget -d temperature", PROMPT),
        /Target is null,please input target\./,
      );
      assert.match(
        await sh.cmd("smmget -d temperature -t CpuTemp", PROMPT),
        /The target does not exist, or the target does not support the dataitem\./,
      );
      assert.match(await sh.cmd("smmget", PROMPT), /Invalid parameter/);
    });

    await t.step("smmset writes what smmget and the web API read back", async () => {
      assert.match(await sh.cmd("smmset -d timezone -v GMT+8", PROMPT), /successfully/);
      assert.match(await sh.cmd("smmget -d timezone", PROMPT), /Time Zone: GMT\+8/);
      assert.equal(c.hmm.state.data.records.ntp.timezone, "GMT+8");
      assert.match(await sh.cmd("smmset -d timezone -v Mars", PROMPT), /Invalid parameter/);
      assert.match(
        await sh.cmd("smmset -l blade1 -d powerstate -v 1", PROMPT),
        /Invalid parameter/,
      );
    });

    await t.step("ping and ifconfig see the internal fabric", async () => {
      assert.match(
        await sh.cmd("ping -c 1 -W 1 172.31.1.129", PROMPT),
        /1 packets transmitted, 1 packets received/,
      );
      assert.match(
        await sh.cmd("ping -c 1 -W 1 172.31.1.133", PROMPT),
        /1 packets transmitted, 0 packets received/,
      );
      assert.match(await sh.cmd("ping -c 1 172.31.1.162", PROMPT), /1 packets received/);
      const ifc = await sh.cmd("ifconfig", PROMPT);
      assert.match(ifc, /eth0:0\s+Link encap:Ethernet.*\r\n\s+inet addr:192\.168\.1\.30/);
      assert.match(ifc, /eth2\s+Link encap.*\r\n\s+inet addr:172\.31\.1\.166/);
    });

    await t.step("cmdext -l asks the password again and loads the extended commands", async () => {
      assert.match(await sh.cmd("cmdext ?", PROMPT), /Invalid parameter/);
      assert.match(await sh.cmd("swiconfexport swi2", PROMPT), /cmdext -l/);
      sh.mark();
      sh.send("cmdext -l\r");
      await sh.waitFor(/Password: $/);
      sh.mark();
      sh.send("wrong\r");
      const bad = await sh.waitFor(PROMPT);
      assert.doesNotMatch(bad, /wrong/, "the password is not echoed");
      sh.send("cmdext -l\r");
      await sh.waitFor(/Password: $/);
      const ok = await sh.cmd(PASS, PROMPT);
      assert.doesNotMatch(ok, /Huawei12/);
      assert.match(ok, /loaded/);
      assert.match(
        await sh.cmd("routedis", PROMPT),
        /172\.31\.1\.0\s+0\.0\.0\.0\s+255\.255\.255\.0\s+U.*eth2/,
      );
      assert.match(await sh.cmd("arp", PROMPT), /\(172\.31\.1\.129\) at/);
    });

    await t.step("reads oplog lists the operations just done", async () => {
      const out = await sh.cmd("reads oplog -t", PROMPT);
      assert.match(out, /Load extended commands/);
      assert.match(out, /Set time zone to GMT\+8/);
      assert.match(await sh.cmd("reads nothing", PROMPT), /Invalid parameter/);
    });

    await t.step(
      "swiconfexport writes a real tar.gz fetched over SFTP with the running config",
      async () => {
        assert.match(await sh.cmd("swiconfexport", PROMPT), /Invalid parameter/);
        const out = await sh.cmd("swiconfexport swi2", PROMPT);
        assert.match(out, /Successed\r\nPlease check "\/tmp\/exchange\/swi2\/swi2\.tar\.gz"/);
        const gz = await sftpGet(url, "/tmp/exchange/swi2/swi2.tar.gz");
        const files = tarNames(new Uint8Array(gunzipSync(gz)));
        assert.ok(files.has("swi2/2_1_1.cfg"));
        assert.ok(files.has("swi2/entity_1.cfg"));
        assert.ok(files.has("swi2/swcfg/"));
        assert.ok(
          [...files.keys()].some((k) => /^swi2\/bakcfg\/\d{4}-\d\d-\d\d\/2_1_1\.cfg$/.test(k)),
        );
        assert.equal(files.get("swi2/2_1_1.cfg"), c.sim.context.switches.runningConfig("swi2"));
        assert.match(await sh.cmd("swiconfexport swi1", PROMPT), /Failed/);
      },
    );

    await t.step("TCP forwarding is refused as administratively prohibited", async () => {
      assert.equal(await forwardRefusal(url), "1");
    });

    await t.step("ssh <ip> NoStricHostKeyChecking jumps into the iBMC shell and back", async () => {
      sh.mark();
      sh.send("ssh 172.31.1.129 NoStricHostKeyChecking\r");
      await sh.waitFor(/root@172\.31\.1\.129's password: $/);
      sh.send(`${PASS}\r`);
      await sh.waitFor(IBMC);
      assert.match(await sh.cmd("ipmcget -d bootdevice", IBMC), /Boot device: No override/);
      assert.match(await sh.cmd("exit", PROMPT), /Connection to 172\.31\.1\.129 closed\./);
    });

    await t.step("without the option the jump asks to confirm the host key", async () => {
      sh.mark();
      sh.send("ssh 172.31.1.130\r");
      await sh.waitFor(/\(yes\/no\)\? $/);
      assert.match(await sh.cmd("no", PROMPT), /Host key verification failed\./);
    });

    await t.step("a wrong password three times is refused", async () => {
      sh.mark();
      sh.send("ssh 172.31.1.130 NoStricHostKeyChecking\r");
      for (let i = 0; i < 2; i++) {
        await sh.waitFor(/password: $/);
        sh.send("bad\r");
      }
      await sh.waitFor(/password: $/);
      assert.match(await sh.cmd("bad", PROMPT), /Permission denied \(publickey,password\)\./);
    });

    await t.step(
      "Ctrl-C at the jump's password prompt aborts the login, no attempt counted",
      async () => {
        sh.mark();
        sh.send("ssh 172.31.1.130 NoStricHostKeyChecking\r");
        await sh.waitFor(/password: $/);
        sh.send("bad\r");
        await sh.waitFor(
          /Permission denied, please try again\.\r\nroot@172\.31\.1\.130's password: $/,
        );
        sh.mark();
        sh.send("\x03");
        const aborted = await sh.waitFor(PROMPT);
        assert.doesNotMatch(aborted, /Permission denied|password:|\^C/);
        // A fresh login: two wrong passwords still leave a third try, which succeeds.
        sh.mark();
        sh.send("ssh 172.31.1.130 NoStricHostKeyChecking\r");
        await sh.waitFor(/password: $/);
        for (let i = 0; i < 2; i++) {
          sh.send("bad\r");
          await sh.waitFor(/Permission denied, please try again\.\r\n[^\r\n]*password: $/);
        }
        sh.send(`${PASS}\r`);
        await sh.waitFor(IBMC);
        assert.match(await sh.cmd("exit", PROMPT), /Connection to 172\.31\.1\.130 closed\./);
        // Ctrl-C at the host-key question also returns to the HMM without a verdict.
        sh.mark();
        sh.send("ssh 172.31.1.130\r");
        await sh.waitFor(/\(yes\/no\)\? $/);
        sh.mark();
        sh.send("\x03");
        assert.doesNotMatch(await sh.waitFor(PROMPT), /Host key verification failed/);
      },
    );

    await t.step("absent blades and unknown hosts answer like OpenSSH", async () => {
      assert.match(
        await sh.cmd("ssh 172.31.1.133 NoStricHostKeyChecking", PROMPT),
        /Connection timed out|No route to host/,
      );
      assert.match(await sh.cmd("ssh 10.9.9.9 NoStricHostKeyChecking", PROMPT), /No route to host/);
    });

    await t.step("the jump reaches a switch's VRP CLI and quit returns to the HMM", async () => {
      sh.mark();
      sh.send("ssh 172.31.1.162 NoStricHostKeyChecking\r");
      await sh.waitFor(/password: $/);
      sh.send(`${PASS}\r`);
      await sh.waitFor(/<CX310_2>$/);
      assert.match(await sh.cmd("display version"), /VRP/);
      assert.match(await sh.cmd("quit", PROMPT), /Connection to 172\.31\.1\.162 closed\./);
      assert.match(await sh.cmd("smmget -d presence", PROMPT), /SMM is present\./);
    });

    await t.step(
      "a switch whose in-band management VLAN is cut stays reachable from the HMM",
      async () => {
        // The HMM reaches switches over the chassis base plane (hmmPath default): the operator's
        // in-band path is cut, the HMM's is not, so the jump is the way to repair the switch.
        const dev = c.sim.switch("swi3");
        dev.commit([(cfg) => {
          delete cfg.vlans["4094"];
        }], "test");
        assert.equal(c.sim.mgmt.isReachable("swi3"), false);
        assert.equal(c.sim.mgmt.reachableFromHmm("swi3"), true);
        assert.match(await sh.cmd("ping -c 1 172.31.1.163", PROMPT), /1 packets received/);
        dev.factoryReset();
      },
    );

    await t.step(
      "fault disconnectMidCommand on the HMM SSH cuts the output and the connection",
      async () => {
        const other = await openShell(url, USER, PASS);
        await other.waitFor(PROMPT);
        c.sim.faults.set({ device: "hmm", iface: "ssh", disconnectMidCommand: true });
        other.mark();
        other.send("smmget -d version\r");
        await other.closed;
        assert.doesNotMatch(other.output, /IPMI Module Built/);
      },
    );

    await t.step("exec mode runs one dispatcher command", async () => {
      const out = await execOnce(url, USER, PASS, "smmget -d presence");
      assert.match(out, /SMM is present\./);
    });
  } finally {
    await sh.close();
    await c.close();
  }
});
