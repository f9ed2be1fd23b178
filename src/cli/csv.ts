/** Where web/app.ts imports CSV from until it imports contract/csv.ts, the one CSV module. */
export { toCsv } from "../contract/csv.js";
