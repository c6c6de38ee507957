/**
 * The API documentation page: the OpenAPI document rendered as one self-contained HTML page
 * (inline CSS, no scripts, no external assets), so it works offline and under a strict CSP.
 *
 * @example
 * const html = renderDocsPage(api.document());
 */

// deno-lint-ignore no-explicit-any
type Json = any;

const esc = (s: unknown) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

const METHODS = ["get", "post", "put", "patch", "delete"];

function refName(ref: string): string {
  return ref.split("/").pop() ?? ref;
}

/** A compact, human-readable type of a JSON schema (`Vlan[]`, `string | null`, ...). */
function typeOf(s: Json): string {
  if (!s || typeof s !== "object") return "any";
  if (s.$ref) return `<a href="#schema-${esc(refName(s.$ref))}">${esc(refName(s.$ref))}</a>`;
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).map(typeOf).join(" | ");
  if (s.enum) return s.enum.map((v: unknown) => esc(JSON.stringify(v))).join(" | ");
  if (s.const !== undefined) return esc(JSON.stringify(s.const));
  const t = Array.isArray(s.type) ? s.type.join(" | ") : s.type;
  if (t === "array") return `${typeOf(s.items)}[]`;
  if (t === "object" && !s.properties) return "object";
  if (t === "object") return "{…}";
  const range = s.minimum !== undefined || s.maximum !== undefined
    ? ` (${s.minimum ?? ""}–${s.maximum ?? ""})`
    : "";
  return esc(t ?? "any") + range;
}

function schemaTable(s: Json): string {
  if (!s || typeof s !== "object") return "";
  if (s.$ref) return `<p>${typeOf(s)}</p>`;
  if (s.type === "array") return `<p>${typeOf(s)}</p>`;
  if (!s.properties) return `<p>${typeOf(s)}</p>`;
  const req = new Set<string>(s.required ?? []);
  const rows = Object.entries(s.properties as Record<string, Json>).map(([k, v]) =>
    `<tr><td><code>${esc(k)}</code>${req.has(k) ? " <b>*</b>" : ""}</td><td>${typeOf(v)}</td>` +
    `<td>${esc(v.description ?? "")}</td></tr>`
  ).join("");
  return `<table><tr><th>field</th><th>type</th><th>description</th></tr>${rows}</table>`;
}

function operation(path: string, method: string, op: Json): string {
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-");
  const role = op["x-vessel-role"] ?? "public";
  const params = (op.parameters ?? []) as Json[];
  const paramRows = params.map((p) =>
    `<tr><td><code>${esc(p.name)}</code>${p.required ? " <b>*</b>" : ""}</td><td>${
      esc(p.in)
    }</td><td>${typeOf(p.schema)}</td><td>${
      esc(p.description ?? p.schema?.description ?? "")
    }</td></tr>`
  ).join("");
  const body = op.requestBody?.content
    ? Object.entries(op.requestBody.content as Record<string, Json>).map(([type, m]) =>
      `<h4>Request body <small>${esc(type)}</small></h4>${schemaTable(m.schema)}`
    ).join("")
    : "";
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>).map(
    ([code, r]) => {
      const content = r.content
        ? Object.entries(r.content as Record<string, Json>).map(([t, m]) =>
          `${esc(t)}: ${typeOf(m.schema)}`
        ).join("<br>")
        : "";
      return `<tr><td>${esc(code)}</td><td>${esc(r.description)}</td><td>${content}</td></tr>`;
    },
  ).join("");
  return `<section class="op" id="${esc(id)}">
<h3><span class="m m-${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code>
<span class="role role-${esc(role)}">${esc(role)}</span></h3>
<p>${esc(op.summary ?? "")}</p>${op.description ? `<p class="d">${esc(op.description)}</p>` : ""}
${
    paramRows
      ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>${paramRows}</table>`
      : ""
  }
${body}<h4>Responses</h4><table><tr><th>status</th><th>meaning</th><th>body</th></tr>${responses}</table>
</section>`;
}

/** Render the whole page. */
export function renderDocsPage(doc: Json): string {
  const byTag = new Map<string, string[]>();
  const toc: string[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push(operation(path, m, op));
      toc.push(
        `<li><a href="#${`${m}-${path}`.replace(/[^A-Za-z0-9]+/g, "-")}">${esc(m.toUpperCase())} ${
          esc(path)
        }</a></li>`,
      );
    }
  }
  const sections = [...byTag].map(([tag, ops]) =>
    `<h2 id="tag-${esc(tag)}">${esc(tag)}</h2>${ops.join("\n")}`
  )
    .join("\n");
  const schemas = Object.entries((doc.components?.schemas ?? {}) as Record<string, Json>).map((
    [name, s],
  ) =>
    `<section class="schema" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${
      s.description ? `<p>${esc(s.description)}</p>` : ""
    }${schemaTable(s)}</section>`
  ).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(doc.info?.title)} ${esc(doc.info?.version)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;display:flex;color:#1d1d1f}
nav{width:300px;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f5f7;padding:1em;box-sizing:border-box;font-size:13px}
nav ul{list-style:none;padding:0;margin:0}nav a{color:#234;text-decoration:none}
main{padding:1em 2em;max-width:1000px;overflow-wrap:anywhere}
.op,.schema{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:1em 0}
.m{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 4px}
.m-get{background:#2b6cb0}.m-post{background:#2f855a}.m-patch{background:#b7791f}.m-delete{background:#c53030}.m-put{background:#6b46c1}
.role{font-size:11px;border:1px solid #999;border-radius:10px;padding:1px 6px;margin-left:.5em;color:#555}
.role-admin{border-color:#c53030;color:#c53030}.role-operator{border-color:#b7791f;color:#b7791f}.role-public{border-color:#2f855a;color:#2f855a}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #eee;text-align:left;padding:3px 6px;vertical-align:top}
code{font-family:ui-monospace,monospace}.d{color:#444}
</style></head><body>
<nav><strong>${esc(doc.info?.title)}</strong><br><small>version ${
    esc(doc.info?.version)
  } · OpenAPI ${
    esc(doc.openapi)
  }</small><p><a href="/api/openapi.json">openapi.json</a> · <a href="#schemas">schemas</a></p><ul>${
    toc.join("")
  }</ul></nav>
<main><h1>${esc(doc.info?.title)}</h1><p>${esc(doc.info?.description)}</p>
<h2>Authentication</h2>
<p>Every route except those marked <span class="role role-public">public</span> needs either
<code>Authorization: Bearer vsl_…</code> (an API token) or the session cookie set by
<code>POST /api/v1/auth/login</code>. Cookie sessions must send the session's CSRF token in the
<code>X-CSRF-Token</code> header on every POST, PATCH and DELETE. Roles: viewer (read) &lt;
operator (change the chassis) &lt; admin (tokens and users). Errors are RFC 9457 problem details
(<code>application/problem+json</code>).</p>
<h2>Jobs</h2><p>Mutations answer <code>202 Accepted</code> with a job and a <code>Location</code>
header; follow <code>GET /api/v1/jobs/{id}/events</code> (server-sent events) or poll
<code>GET /api/v1/jobs/{id}</code>.</p>
${sections}
<h2 id="schemas">Schemas</h2>${schemas}
</main></body></html>
`;
}
