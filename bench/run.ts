/**
 * `npm run bench [section...]`: the performance targets of the issues, measured side by side in one
 * run. Prints each figure and whether its target is met; exits 1 when one is missed.
 */
import { benchApi } from "./api.js";
import { benchFiles } from "./files.js";
import { benchIngest } from "./ingest.js";
import { benchReport } from "./report.js";
import { benchServer } from "./server.js";
import { benchIngestLarge, benchTotals } from "./store.js";

const SECTIONS: Record<string, () => Promise<boolean>> = {
  report: () => benchReport(),
  ingest: () => benchIngest(),
  files: () => benchFiles(),
  "ingest-large": () => benchIngestLarge(),
  totals: () => benchTotals(),
  api: () => benchApi(),
  server: () => benchServer(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((s) => !(s in SECTIONS));
if (unknown.length > 0) {
  console.error(`unknown section ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS).join(", ")}`);
  process.exit(1);
}
let ok = true;
for (const name of wanted.length > 0 ? wanted : Object.keys(SECTIONS)) {
  if (!(await SECTIONS[name]())) ok = false;
}
process.exitCode = ok ? 0 : 1;
