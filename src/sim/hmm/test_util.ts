/**
 * Test support for the HMM/iBMC tests: a real simulator context (switches, SSH helper,
 * management plane) with the HMM services started on a controllable clock, plus small helpers
 * for the web API login and Redfish calls made in-process.
 *
 * @module
 */
import { startSimulator } from "../mod.ts";
import type { Simulator } from "../mod.ts";
import { type HmmServicesHandle, type HmmServicesOptions, startHmmServices } from "./mod.ts";

/** A started test chassis. */
export interface TestChassis {
  sim: Simulator;
  hmm: HmmServicesHandle;
  /** The fake clock (ms); move it with {@link TestChassis.advance}. */
  clock: { now: number };
  advance(ms: number): void;
  close(): Promise<void>;
}

/** Start the simulator without its own HMM, then the HMM services on a fake clock. */
export async function startTestChassis(
  options: HmmServicesOptions = {},
  seed?: Parameters<typeof startSimulator>[0],
): Promise<TestChassis> {
  const sim = await startSimulator({ ...seed, hmm: false });
  const clock = { now: Date.UTC(2026, 10, 25, 12, 0, 0) };
  const hmm = await startHmmServices(sim.context, { ...options, now: () => clock.now });
  return {
    sim,
    hmm,
    clock,
    advance: (ms) => clock.now += ms,
    async close() {
      await hmm.close();
      await sim.close();
    },
  };
}

/** Base URL used for in-process requests to the HMM. */
export const HMM = "https://hmm.test";

/** A logged-in web API session. */
export interface WebSession {
  cookie: string;
  token: string;
  /** POST a dispatcher call; returns status and body text. */
  call(
    handler: string,
    form: Record<string, string>,
    opts?: { referer?: string | null; token?: string; cookie?: string },
  ): Promise<{ status: number; body: string }>;
}

/** Form-encode. */
export function form(f: Record<string, string>): string {
  return new URLSearchParams(f).toString();
}

/** Log in to the web API in-process. */
export async function webLogin(
  hmm: HmmServicesHandle,
  username: string,
  password: string,
): Promise<WebSession> {
  const res = await hmm.hmmFetch(
    new Request(`${HMM}/loginhandler.php`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Custom-Token": "0",
        "X-Requested-With": "XMLHttpRequest",
      },
      body: form({
        actiontype: "login",
        username,
        userpasswd: password,
        usermode: "1",
        code: "",
        language: "en",
      }),
    }),
  );
  const body = await res.text();
  const token = /<csrftoken>([^<]+)<\/csrftoken>/.exec(body)?.[1];
  if (!token) throw new Error(`Login failed: ${body}`);
  const cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  const session: WebSession = {
    cookie,
    token,
    async call(handler, f, opts = {}) {
      const headers: Record<string, string> = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Custom-Token": opts.token ?? session.token,
        "X-Requested-With": "XMLHttpRequest",
        Cookie: opts.cookie ?? session.cookie,
      };
      const ref = opts.referer === undefined ? "/index.html?chassisid=0" : opts.referer;
      if (ref !== null) headers.Referer = `${HMM}${ref}`;
      const r = await hmm.hmmFetch(
        new Request(`${HMM}/${handler}`, { method: "POST", headers, body: form(f) }),
      );
      return { status: r.status, body: await r.text() };
    },
  };
  return session;
}

/** Text of the first `<name>` element. */
export function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** In-process JSON request to a Redfish app. */
export async function rf(
  fetcher: (req: Request) => Response | Promise<Response>,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers["X-Auth-Token"] = opts.token;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetcher(
    new Request(`https://device.test${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : {} };
}

/** Log in to a Redfish service in-process; returns the token and session URL. */
export async function rfLogin(
  fetcher: (req: Request) => Response | Promise<Response>,
  username: string,
  password: string,
): Promise<{ token: string; location: string }> {
  const r = await rf(fetcher, "POST", "/redfish/v1/SessionService/Sessions", {
    body: { UserName: username, Password: password },
  });
  if (r.status !== 201) {
    throw new Error(`Redfish login failed: ${r.status} ${JSON.stringify(r.json)}`);
  }
  return { token: r.headers.get("X-Auth-Token")!, location: r.headers.get("Location")! };
}

/** The first MessageId of a Redfish error body. */
export function messageId(body: Record<string, unknown>): string | undefined {
  const err = body.error as { "@Message.ExtendedInfo"?: { MessageId: string }[] } | undefined;
  return err?.["@Message.ExtendedInfo"]?.[0]?.MessageId;
}
