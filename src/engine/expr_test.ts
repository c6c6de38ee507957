import assert from "node:assert/strict";
import { ExprSyntaxError, parseExpression, parseTemplate, references } from "./expr.ts";
import { EvalError, evaluate, isSet, isUnknown, UNKNOWN } from "./eval.ts";
import { convertToType, parseType } from "./hcltypes.ts";

const ROOTS: Record<string, unknown> = {
  var: { n: 3, name: "prod", slots: ["1", "2", "3"], m: { a: 1, b: 2 } },
  local: { prefix: "10.10.0.0/16" },
  vessel_vlan: { a: { vlan_id: 100, name: "a" }, late: { vlan_id: UNKNOWN } },
};

function ev(src: string, extra: Record<string, unknown> = {}): unknown {
  return evaluate(parseTemplate(src), {
    root: (n) => ({ ...ROOTS, ...extra })[n],
    rootNames: () => Object.keys(ROOTS),
  });
}

Deno.test("parseTemplate evaluates operators, conditionals and templates", () => {
  assert.equal(ev("${1 + 2 * 3}"), 7);
  assert.equal(ev("${(1 + 2) * 3}"), 9);
  assert.equal(ev("${-var.n + 1}"), -2);
  assert.equal(ev("${var.n > 1 && !false}"), true);
  assert.equal(ev('${var.n == 3 ? "big" : "small"}'), "big");
  assert.equal(ev("vlan-${var.name}-${var.n}"), "vlan-prod-3");
  assert.equal(ev("${var.n}"), 3, "a lone interpolation keeps its type");
  assert.equal(ev("$${literal}"), "${literal}");
  assert.equal(ev("%{if var.n > 2}many%{else}few%{endif}"), "many");
  assert.equal(ev("%{for s in var.slots}[${s}]%{endfor}"), "[1][2][3]");
  assert.equal(ev('${"nested ${upper(var.name)}"}'), "nested PROD");
  assert.equal(ev('${1 + "2"}'), 3, "numeric strings convert");
});

Deno.test("parseTemplate evaluates collections, for expressions and splats", () => {
  assert.deepEqual(ev('${[for s in var.slots : tonumber(s) if s != "2"]}'), [1, 3]);
  assert.deepEqual(ev("${{for k, v in var.m : upper(k) => v * 10}}"), { A: 10, B: 20 });
  assert.deepEqual(ev('${{for s in ["a", "b", "a"] : s => s...}}'), { a: ["a", "a"], b: ["b"] });
  assert.deepEqual(ev("${[{x = 1}, {x = 2}][*].x}"), [1, 2]);
  assert.deepEqual(ev('${{ a = 1, "b" = 2 }}'), { a: 1, b: 2 });
  assert.equal(ev("${vessel_vlan.a.vlan_id}"), 100);
  assert.equal(ev('${var.m["b"]}'), 2);
  assert.equal(ev("${var.slots[1]}"), "2");
});

Deno.test("callFunction implements the documented functions", () => {
  const set = ev('${toset(["b", "a", "b"])}');
  assert.ok(isSet(set));
  assert.deepEqual(set, ["a", "b"]);
  assert.deepEqual(ev('${tolist(toset(["x"]))}'), ["x"]);
  assert.deepEqual(ev("${tomap({a = 1})}"), { a: 1 });
  assert.equal(ev('${tonumber("42")}'), 42);
  assert.equal(ev("${tostring(42)}"), "42");
  assert.equal(ev("${length(var.slots)}"), 3);
  assert.deepEqual(ev("${range(3)}"), [0, 1, 2]);
  assert.deepEqual(ev("${range(1, 10, 4)}"), [1, 5, 9]);
  assert.deepEqual(ev("${concat([1], [2, 3])}"), [1, 2, 3]);
  assert.deepEqual(ev("${merge({a = 1}, {b = 2, a = 3})}"), { a: 3, b: 2 });
  assert.equal(ev('${lookup(var.m, "z", 9)}'), 9);
  assert.equal(ev('${format("%s-%03d", "v", 7)}'), "v-007");
  assert.equal(ev('${join(",", ["a", "b"])}'), "a,b");
  assert.deepEqual(ev('${split(",", "a,b")}'), ["a", "b"]);
  assert.equal(ev('${upper("a")}${lower("B")}'), "Ab");
  assert.equal(ev('${replace("a-b-c", "-", "_")}'), "a_b_c");
  assert.equal(ev('${contains(["a"], "a")}'), true);
  assert.deepEqual(ev("${keys(var.m)}"), ["a", "b"]);
  assert.deepEqual(ev("${values(var.m)}"), [1, 2]);
  assert.deepEqual(ev("${flatten([[1, [2]], 3])}"), [1, 2, 3]);
  assert.deepEqual(ev("${distinct([1, 2, 1])}"), [1, 2]);
  assert.equal(ev('${coalesce("", null, "x")}'), "x");
  assert.equal(ev('${try(var.nope, "fallback")}'), "fallback");
  assert.equal(ev("${try(var.m.z, 5)}"), 5);
  assert.equal(ev('${cidrhost("10.0.1.0/24", 5)}'), "10.0.1.5");
  assert.equal(ev('${cidrhost("10.0.1.0/24", -2)}'), "10.0.1.254");
  assert.equal(ev("${cidrsubnet(local.prefix, 8, 2)}"), "10.10.2.0/24");
  assert.equal(ev('${cidrsubnet("fd00::/48", 16, 1)}'), "fd00:0:0:1::/64");
});

Deno.test("evaluate propagates unknown values (known after apply)", () => {
  assert.ok(isUnknown(ev("${vessel_vlan.late.vlan_id + 1}")));
  assert.ok(isUnknown(ev("v${vessel_vlan.late.vlan_id}")));
  assert.ok(isUnknown(ev("${tostring(vessel_vlan.late.vlan_id)}")));
  assert.deepEqual(ev("${[1, vessel_vlan.late.vlan_id]}"), [1, UNKNOWN]);
});

Deno.test("evaluate errors carry the offset of the failing node and a suggestion", async (t) => {
  const fails = (src: string): EvalError => {
    try {
      ev(src);
    } catch (e) {
      assert.ok(e instanceof EvalError, String(e));
      return e;
    }
    assert.fail(`expected ${src} to fail`);
  };
  await t.step("unknown function", () => {
    const e = fails("${uper(var.name)}");
    assert.equal(e.pos, 2);
    assert.match(e.hint ?? "", /upper/);
  });
  await t.step("unknown attribute", () => {
    const e = fails("${var.nmae}");
    assert.equal(e.pos, 6);
    assert.match(e.hint ?? "", /"name"/);
  });
  await t.step("type", () => assert.match(fails('${1 + "x"}').message, /number is required/));
  await t.step("bad index", () => assert.match(fails("${var.slots[7]}").message, /out of range/));
  await t.step("syntax", () => {
    try {
      parseTemplate("${1 + }");
      assert.fail();
    } catch (e) {
      assert.ok(e instanceof ExprSyntaxError);
      assert.equal(e.offset, 6);
    }
  });
});

Deno.test("references lists traversals and skips for-expression variables", () => {
  const refs = references(
    parseExpression(
      '[for s in var.slots : vessel_vlan.a.vlan_id + s if local.ok] ++ data.x.y["k"].z'
        .replace(" ++ ", " == "),
    ),
  ).map((r) => r.path.join("."));
  assert.deepEqual(refs.sort(), ["data.x.y.k.z", "local.ok", "var.slots", "vessel_vlan.a.vlan_id"]);
});

Deno.test("convertToType applies Terraform's conversions and optional defaults", () => {
  const t = parseType(parseTemplate("${map(object({ a = string, b = optional(number, 2) }))}"));
  assert.deepEqual(convertToType({ x: { a: 1 } }, t, "var.m"), { x: { a: "1", b: 2 } });
  assert.throws(
    () => convertToType({ x: {} }, t, "var.m"),
    /var\.m\["x"\]: attribute "a" is required/,
  );
  assert.deepEqual(convertToType(["1", 2], parseType(parseTemplate("${list(number)}")), "v"), [
    1,
    2,
  ]);
});
