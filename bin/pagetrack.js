#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=512
// The V8 flags keep the resident memory of long runs low: without them V8 lets garbage grow to
// several hundred megabytes before collecting it. (They apply when the file is run as a program.)
import { main } from "../dist/cli/main.js";

await main(process.argv);
