/** Vessel's version (kept in one place; `vessel --version` prints it). */
export const VERSION = "0.1.0";
