/**
 * `vessel net`: switch operations (CX310, Huawei VRP) through the same operations as the
 * engine's `vessel_vlan`, `vessel_switch_port` and `vessel_lag`, every write under the
 * management-plane watchdog (docs/watchdog.md).
 *
 * Examples:
 *   vessel net vlan list --switch swi2 --chassis sim://
 *   vessel net vlan add 100 --name prod --switch all
 *   vessel net vlan remove 100 --switch swi3
 *   vessel net port set swi2 10GE2/3/1 --mode trunk --pvid 10 --allow 10,20,30-35
 *   vessel net lag create swi2 1 --members 10GE2/17/2,10GE2/17/3 --lacp
 *   vessel net lag list
 *   vessel net snapshot swi2
 *   vessel net diag 3 --output json
 */
import { Command, Option } from "@commander-js/extra-typings";
import { resolveGlobals } from "./global.ts";

/** Watchdog flags shared by every write. */
// deno-lint-ignore no-explicit-any
function watchdogOptions<T extends Command<any, any, any>>(c: T): T {
  c.addOption(
    new Option("--trial <seconds>", "two-stage VRP: commit trial timer (default heartbeat + 60)"),
  );
  c.addOption(
    new Option("--heartbeat-deadline <seconds>", "how long the heartbeat may stay red").default(
      "60",
    ),
  );
  c.addOption(new Option("--probe-timeout <seconds>", "deadline of one probe").default("10"));
  c.addOption(new Option("--heartbeat-interval <seconds>", "pause between rounds").default("1"));
  c.addOption(new Option("--rollback-deadline <seconds>", "how long a rollback may wait"));
  c.addOption(new Option("--no-hmm-probe", "do not probe the switch from the HMM"));
  c.addOption(new Option("--no-switch-probe", "do not open a fresh SSH session as a probe"));
  c.addOption(new Option("--ibmc <slots>", "iBMCs that must keep answering, e.g. 1,3"));
  c.addOption(new Option("--must-reach <blades>", "blades that must stay reachable, e.g. 3,4"));
  c.addOption(new Option("--no-diag", "skip blade diagnostics before and after"));
  c.addOption(new Option("--save", "save the configuration after the change is confirmed"));
  c.addOption(new Option("--dry-run", "show the VRP commands that would be sent; change nothing"));
  c.addOption(
    new Option(
      "--allow-mgmt-risk",
      "immediate VRP: send a change that touches the management path anyway (a cut needs manual recovery)",
    ),
  );
  return c;
}

// deno-lint-ignore no-explicit-any
type AnyOpts = Record<string, any>;

/** `vessel net`. */
export function netCommand() {
  const net = new Command("net").description(
    "switch operations (VLANs, ports, LAGs, snapshot, diagnostics) under the watchdog",
  );
  const run = async (
    cmd: { optsWithGlobals(): object },
    fn: (m: typeof import("./net_run.ts"), g: ReturnType<typeof resolveGlobals>) => Promise<void>,
  ) => {
    const m = await import("./net_run.ts");
    await fn(m, resolveGlobals(cmd.optsWithGlobals()));
  };

  const vlan = new Command("vlan").description("list, add and remove VLANs");
  vlan.command("list")
    .description("list VLANs")
    .option("--switch <name>", "swi1..swi4 or all", "all")
    .action((opts, cmd) => run(cmd, (m, g) => m.runVlan(g, { op: "list", switch: opts.switch })));
  watchdogOptions(
    vlan.command("add")
      .description("create a VLAN (or update its name/description)")
      .argument("<id>", "VLAN id 1-4094")
      .option("--name <name>", "VLAN name (1-31 characters, no spaces)")
      .option("--description <text>", "VLAN description (1-80 characters)")
      .option("--switch <name>", "swi1..swi4 or all", "all"),
  ).action((id, opts: AnyOpts, cmd) =>
    run(cmd, (m, g) =>
      m.runVlan(g, {
        op: "add",
        id,
        name: opts.name,
        description: opts.description,
        switch: opts.switch,
        watchdog: m.watchdogFromFlags(opts),
      }))
  );
  watchdogOptions(
    vlan.command("remove")
      .description("delete a VLAN")
      .argument("<id>", "VLAN id 2-4094")
      .option("--switch <name>", "swi1..swi4 or all", "all"),
  ).action((id, opts: AnyOpts, cmd) =>
    run(cmd, (m, g) =>
      m.runVlan(g, {
        op: "remove",
        id,
        switch: opts.switch,
        watchdog: m.watchdogFromFlags(opts),
      }))
  );
  net.addCommand(vlan);

  const port = new Command("port").description("switch port link type, PVID and VLANs");
  watchdogOptions(
    port.command("set")
      .description("set a port's mode, PVID and allowed VLANs")
      .argument("<switch>", "swi1..swi4")
      .argument("<port>", "interface, e.g. 10GE2/3/1 or Eth-Trunk1")
      .addOption(
        new Option("--mode <mode>", "link type").choices(["access", "trunk", "hybrid"])
          .makeOptionMandatory(),
      )
      .option("--pvid <vlan>", "access: default VLAN; trunk/hybrid: PVID")
      .option("--allow <list>", "trunk: allowed VLANs (replaces the list); hybrid: tagged VLANs")
      .option("--description <text>", "interface description"),
  ).action((sw, p, opts: AnyOpts, cmd) =>
    run(cmd, (m, g) =>
      m.runPortSet(g, {
        switch: sw,
        port: p,
        mode: opts.mode,
        pvid: opts.pvid,
        allow: opts.allow,
        description: opts.description,
        watchdog: m.watchdogFromFlags(opts),
      }))
  );
  net.addCommand(port);

  const lag = new Command("lag").description("link aggregation groups (Eth-Trunk)");
  lag.command("list")
    .description("list LAGs")
    .option("--switch <name>", "swi1..swi4 or all", "all")
    .action((opts, cmd) => run(cmd, (m, g) => m.runLagList(g, { switch: opts.switch })));
  watchdogOptions(
    lag.command("create")
      .description("create a LAG (or set its members)")
      .argument("<switch>", "swi1..swi4")
      .argument("<id>", "Eth-Trunk number 0-127")
      .requiredOption("--members <ports>", "member ports, comma separated")
      .option("--lacp", "mode lacp-static (default: manual load balance)")
      .option("--description <text>", "description"),
  ).action((sw, id, opts: AnyOpts, cmd) =>
    run(cmd, (m, g) =>
      m.runLag(g, {
        op: "create",
        switch: sw,
        id,
        members: opts.members,
        lacp: opts.lacp === true,
        description: opts.description,
        watchdog: m.watchdogFromFlags(opts),
      }))
  );
  watchdogOptions(
    lag.command("delete")
      .description("delete a LAG (members leave first)")
      .argument("<switch>", "swi1..swi4")
      .argument("<id>", "Eth-Trunk number 0-127"),
  ).action((sw, id, opts: AnyOpts, cmd) =>
    run(
      cmd,
      (m, g) => m.runLag(g, { op: "delete", switch: sw, id, watchdog: m.watchdogFromFlags(opts) }),
    )
  );
  net.addCommand(lag);

  net.command("snapshot")
    .description("snapshot one switch (running + startup configuration, VLANs) under --snapshots")
    .argument("<switch>", "swi1..swi4")
    .action((sw, _opts, cmd) => run(cmd, (m, g) => m.runNetSnapshot(g, { switch: sw })));

  net.command("diag")
    .description("ping, ARP, MAC table and LLDP neighbours of a blade's switch ports")
    .argument("<blade>", "blade slot 1-32 (or blade<N>)")
    .option("--switch <name>", "swi1..swi4 or all", "all")
    .option("--no-ping", "do not ping the addresses behind the ports")
    .action((blade, opts, cmd) =>
      run(
        cmd,
        (m, g) =>
          m.runDiag(g, { blade, switch: opts.switch, ping: (opts as AnyOpts).ping !== false }),
      )
    );
  return net;
}
