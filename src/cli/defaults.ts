/**
 * Where pagetrack keeps its data when no option names it: the table and the embedded engine's
 * directory of the CLI (and of `connect`, which opens them for it: cli/connect.ts), and the demo's apart from them.
 */
export const DEFAULT_TABLE = "pagetrack";
export const DEFAULT_DATA_DIR = ".pagetrack";
/** Where `pagetrack demo` keeps its data, apart from the user's own. */
export const DEMO_DATA_DIR = ".pagetrack/demo";
