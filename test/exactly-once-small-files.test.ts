import { exactlyOnce } from "./support/exactly-once.js";

// Many small files, as CloudFront really delivers: 16 an hour. One file an hour, and what does not
// depend on the shape, are in exactly-once.test.ts.
exactlyOnce("16 files an hour", 16, [
  { owner: true, bytes: 60_000 },
  { owner: false, request: 250 },
  { owner: true, bytes: 700_000 },
  // In the rollup, at the end of the run.
  { owner: false, request: 820 },
]);
