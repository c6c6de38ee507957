// deno-lint-ignore-file no-control-regex -- terminal control characters are the subject here
import assert from "node:assert/strict";
import { cleanTerminal } from "./shell.ts";

Deno.test("cleanTerminal strips pager erase sequences, the space+cursor-left quirk and escapes", () => {
  // VRP pager after a space: cursor left 42, 42 spaces, cursor left 42
  const erase = "\x1b[42D" + " ".repeat(42) + "\x1b[42D";
  assert.equal(cleanTerminal(`a\r\n${erase}b\r\n`), "a\nb\n");
  // space + cursor-left pairs inside echoed text
  assert.equal(cleanTerminal("display vla \x1b[1Dn"), "display vlan");
  // CR-based line erase
  assert.equal(cleanTerminal("x\r\n\r          \rnext"), "x\nnext");
  // colours and cursor movements
  assert.equal(cleanTerminal("\x1b[1;32mok\x1b[0m\x1b[K"), "ok");
  // backspace overstrike
  assert.equal(cleanTerminal("abc\x08\x08de"), "ade");
  assert.ok(!/[\x00-\x08\x1b]/.test(cleanTerminal("a\x1b[2Jb\x1b(B")));
});
