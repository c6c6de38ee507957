/**
 * Minimal ANSI colouring that respects `--no-color`, `NO_COLOR` and non-terminal output.
 *
 * @example
 * const c = palette(true); console.log(c.green("+ create"));
 */
export interface Palette {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
  cyan(s: string): string;
}

/** A palette that colours when `enabled`, or returns text unchanged. */
export function palette(enabled: boolean): Palette {
  const wrap = (code: string) => (s: string) => enabled ? `\x1b[${code}m${s}\x1b[0m` : s;
  return {
    green: wrap("32"),
    yellow: wrap("33"),
    red: wrap("31"),
    bold: wrap("1"),
    dim: wrap("2"),
    cyan: wrap("36"),
  };
}
