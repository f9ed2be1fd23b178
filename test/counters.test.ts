/** The counters' registry: names the store cannot mix up, and docs that name every dimension. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type BreakdownSpec,
  breakdownSpec,
  COUNTERS,
  type CounterSpec,
  checkCounters,
  DIMENSIONS,
  dimensionsOn,
  reservedNames,
} from "../src/counters/registry.js";
import { keys } from "../src/store/keys.js";

const ROOT = join(import.meta.dirname, "..");

/** A breakdown as a new dimension would be declared. */
const spec = (over: Partial<BreakdownSpec> = {}): BreakdownSpec => ({
  ...(breakdownSpec("browser") as BreakdownSpec),
  ...over,
});

describe("the counters' registry", () => {
  it("knows the names the store gives its own partitions and series", () => {
    const reserved = reservedNames();
    for (const name of [
      "contrib",
      "logs",
      "ledger",
      "pending",
      "INDEX",
      "SITE",
      "META",
      "day",
      "month",
      "year",
    ])
      expect(reserved, name).toContain(name);
    for (const name of ["*", "~bots", "~visitors"]) expect(reserved, name).toContain(name);
    // Every partition of the store but a page's and a breakdown's starts with one of them.
    const partitions = [
      keys.index("s"),
      keys.site("s"),
      keys.contributions("s", "2024-05-01"),
      keys.pending("s"),
      keys.ledger("s"),
      keys.logs("s"),
      keys.meta("s"),
      keys.level("s", "month", "*"),
    ];
    for (const partition of partitions) expect(reserved).toContain(partition.split("#")[1]);
  });

  it.each([...reservedNames()])("refuses a counter named %s", (name) => {
    expect(() => checkCounters({ ...COUNTERS, [name]: spec() })).toThrow(
      `counter "${name}" has a name the store gives its own items`,
    );
  });

  it("refuses a counter whose name is not a plain word, as it names an argument, a parameter and partitions", () => {
    for (const name of ["Browser", "user-agent", "a#b", "/x", "2fa"])
      expect(() => checkCounters({ [name]: spec() }), name).toThrow(
        `counter "${name}" must be a word of letters and digits starting with a lower-case letter`,
      );
  });

  it("refuses a measure that the counter's layout cannot keep", () => {
    expect(() => checkCounters({ subscribers: spec({ counts: "subscribers" }) })).toThrow(
      'counter "subscribers" counts subscribers, which a breakdown cannot keep',
    );
    const union: CounterSpec = { layout: "union", counts: "views", series: () => "~x" };
    expect(() => checkCounters({ readers: union })).toThrow(
      'counter "readers" counts views, which a union cannot keep',
    );
    expect(() => checkCounters({ readers: { ...union, counts: "clients" } })).not.toThrow();
  });

  it("places every dimension on the dashboard once", () => {
    expect([...dimensionsOn("pages"), ...dimensionsOn("audience"), ...dimensionsOn("server")].sort()).toEqual(
      [...DIMENSIONS].sort(),
    );
  });

  it("has every dimension in the docs that list them", async () => {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(`npx pagetrack top ${DIMENSIONS.join("|")} `);
    const api = await readFile(join(ROOT, "docs/api.md"), "utf8");
    const breakdown = api.slice(api.indexOf("- `/breakdown` is the audience"));
    const paragraph = breakdown.slice(0, breakdown.indexOf("\n\n"));
    for (const dimension of DIMENSIONS) expect(paragraph, dimension).toContain(`\`${dimension}\``);
    const dashboard = await readFile(join(ROOT, "docs/dashboard.md"), "utf8");
    for (const dimension of DIMENSIONS)
      expect(dashboard, dimension).toContain(breakdownSpec(dimension).title);
  });
});
