/**
 * A tiny ustar writer plus gzip (node:zlib) for the HMM's `swiconfexport` archive.
 *
 * @module
 */
import { gzipSync } from "node:zlib";

/** One archive member: a directory (path ends with `/`) or a file. */
export interface TarEntry {
  path: string;
  data?: Uint8Array;
  /** Modification time, seconds since the epoch. */
  mtime: number;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(e: TarEntry): Uint8Array {
  const h = new Uint8Array(512);
  const enc = new TextEncoder();
  const put = (s: string, off: number) => h.set(enc.encode(s), off);
  const dir = e.path.endsWith("/");
  let name = e.path;
  let prefix = "";
  if (name.length > 100) {
    const cut = name.lastIndexOf("/", name.length - 2 - 0);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  put(name, 0);
  put(octal(dir ? 0o755 : 0o644, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(dir ? 0 : e.data?.length ?? 0, 12), 124);
  put(octal(e.mtime, 12), 136);
  put("        ", 148);
  put(dir ? "5" : "0", 156);
  put("ustar\0", 257);
  put("00", 263);
  put("root", 265);
  put("root", 297);
  put(prefix, 345);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

/** Build an uncompressed tar archive. */
export function tar(entries: TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (!e.path.endsWith("/") && e.data) {
      parts.push(e.data);
      const pad = (512 - (e.data.length % 512)) % 512;
      if (pad) parts.push(new Uint8Array(pad));
    }
  }
  parts.push(new Uint8Array(1024));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Build a `.tar.gz`. */
export function tarGz(entries: TarEntry[]): Uint8Array {
  return new Uint8Array(gzipSync(tar(entries)));
}
