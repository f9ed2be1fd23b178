import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateLogFile } from "../src/generator/files.js";
import { EmbeddedEngine } from "../src/store/engine.js";
import { PK } from "../src/store/keys.js";
import { Store } from "../src/store/store.js";
import { runCli } from "./support/cli.js";
import type { FaultProxy } from "./support/fault-proxy.js";
import { ROOT, tempDir } from "./support/paths.js";
import { startProxiedEngine } from "./support/store.js";

/** The embedded engine's life across processes, and every way of not reaching a table. */
describe("engines and endpoints", () => {
  let log: string;
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    log = join(dir, "site.log.gz");
    await generateLogFile(log, { requests: 2000, start: "2024-05-01", days: 1, gzip: true });
  });

  it("`pagetrack engine` prints an endpoint that other DynamoDB tools can query, until Ctrl-C", async () => {
    const data = join(dir, "for-tools");
    expect((await runCli(["ingest", log, "--data", data])).code).toBe(0);
    const child = spawn(process.execPath, [join(ROOT, "bin/pagetrack.js"), "engine", "--data", data]);
    let stdout = "";
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        const found = /answers at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (found && stdout.includes("Ctrl-C")) resolve(found[1]);
      });
      child.once("exit", () => reject(new Error(`engine exited: ${stdout}`)));
    });
    expect(stdout).toContain(`aws dynamodb query --endpoint-url ${endpoint} --table-name pagetrack`);
    // What the AWS CLI would do: any credentials, the printed endpoint.
    const tool = new Store({
      table: "pagetrack",
      client: { endpoint, region: "local", credentials: { accessKeyId: "x", secretAccessKey: "x" } },
    });
    const pages = await tool.queryPage({
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": PK },
      ExpressionAttributeValues: { ":pk": "default#INDEX" },
    });
    tool.destroy();
    expect(pages.items.length).toBeGreaterThan(0);
    const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    expect(existsSync(join(data, "engine.json"))).toBe(false);
  }, 60_000);

  it("creates the embedded table on first use and leaves no engine files behind", async () => {
    const data = join(dir, "fresh");
    const run = await runCli(["ingest", log, "--data", data]);
    expect(run.code).toBe(0);
    expect(existsSync(join(data, "db"))).toBe(true);
    expect(existsSync(join(data, "engine.lock"))).toBe(false);
    expect(existsSync(join(data, "engine.json"))).toBe(false);
  });

  it("uses the default data directory .pagetrack in the working directory", async () => {
    const cwd = join(dir, "cwd");
    await mkdir(cwd);
    const run = await runCli(["ingest", log], { cwd });
    expect(run.code).toBe(0);
    expect(existsSync(join(cwd, ".pagetrack/db"))).toBe(true);
  });

  it("moves a process that uses the engine to the next one when the owner stops", async () => {
    const data = join(dir, "handoff");
    const first = new EmbeddedEngine(data);
    const user = new EmbeddedEngine(data);
    const firstUrl = await first.endpoint();
    expect(await user.endpoint()).toBe(firstUrl);
    expect([first.owner, user.owner]).toEqual([true, false]);
    await first.close();
    // A new owner starts before the old one's process is gone (here: it never goes).
    const second = new EmbeddedEngine(data);
    const secondUrl = await second.endpoint();
    expect(secondUrl).not.toBe(firstUrl);
    expect(await user.endpoint()).toBe(secondUrl);
    await second.close();
    // With no owner left, the user starts the engine itself.
    const own = await user.endpoint();
    expect(user.owner).toBe(true);
    expect(own).not.toBe(secondUrl);
    await user.close();
  });

  it("sends every attempt of a request to the engine running now, not where the request began", async () => {
    const engine = new EmbeddedEngine(join(dir, "follow"));
    await engine.endpoint();
    // A request that starts out for an address where nothing listens any more (an owner that left).
    const store = new Store({
      table: "pagetrack",
      client: {
        endpoint: "http://127.0.0.1:9",
        region: "local",
        credentials: { accessKeyId: "t", secretAccessKey: "t" },
      },
    });
    engine.follow(store.client);
    expect(await store.tableExists()).toBe(false);
    store.destroy();
    await engine.close();
  });

  it("recovers a data directory locked by a process that died", async () => {
    const data = join(dir, "stale");
    await mkdir(data, { recursive: true });
    await writeFile(join(data, "engine.lock"), "999999");
    await writeFile(join(data, "engine.json"), JSON.stringify({ pid: 999999, port: 1 }));
    const run = await runCli(["ingest", log, "--data", data]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("says which process holds a data directory it cannot use", async () => {
    const data = join(dir, "held");
    await mkdir(data, { recursive: true });
    // A live process (this test) holds the lock but runs no engine.
    await writeFile(join(data, "engine.lock"), String(process.pid));
    // The wait for the lock shortened from 15 s: the outcome is the same.
    const run = await runCli(["totals", "--data", data], { env: { PAGETRACK_LOCK_WAIT_MS: "300" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `pagetrack: the data directory ${data} is locked by process ${process.pid}, which runs no engine; if no pagetrack is running, delete ${join(data, "engine.lock")}\n`,
    );
  });

  describe("another endpoint", () => {
    let server: Awaited<ReturnType<typeof startProxiedEngine>>;
    let proxy: FaultProxy;
    let endpoint: string;
    beforeAll(async () => {
      server = await startProxiedEngine(join(dir, "server"));
      ({ proxy, endpoint } = server);
    });
    afterAll(() => server.stop());

    it("never creates a table implicitly; init does, once", async () => {
      const args = ["--endpoint", endpoint, "--table", "pt-other"];
      const missing = await runCli(["totals", ...args]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(
        `pagetrack: table "pt-other" does not exist at ${endpoint}; create it with \`pagetrack init\`\n`,
      );
      const ingest = await runCli(["ingest", log, ...args]);
      expect(ingest.code).toBe(1);
      expect(ingest.stderr).toMatch(/does not exist at .*`pagetrack init`/);
      const operations: string[] = [];
      proxy.choose = (operation) => {
        operations.push(operation);
        return "pass";
      };
      for (let i = 0; i < 2; i++) {
        const init = await runCli(["init", ...args]);
        expect(init.stderr).toBe("");
        // The engine cannot expire items: init tries, and says so rather than claiming TTL.
        expect(init.stdout).toBe(
          `table "pt-other" is ready at ${endpoint}\nTTL: this engine cannot expire items, so raw views ingested with --retention-days stay (DynamoDB on AWS deletes them)\n`,
        );
      }
      proxy.choose = () => "pass";
      expect(operations).toContain("DescribeTimeToLive");
      expect(operations).toContain("UpdateTimeToLive");
      expect((await runCli(["ingest", log, ...args])).code).toBe(0);
    });

    it("takes the table name from TARGET_DYNAMO_TABLE and the endpoint from AWS_ENDPOINT_URL_DYNAMODB", async () => {
      const run = await runCli(["totals", "--json"], {
        env: { TARGET_DYNAMO_TABLE: "pt-other", AWS_ENDPOINT_URL_DYNAMODB: endpoint },
      });
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout).total).toBeGreaterThan(0);
    });

    it("explains rejected credentials in one line", async () => {
      proxy.choose = () => "denied";
      const run = await runCli(["totals", "--endpoint", endpoint, "--table", "pt-other"]);
      proxy.choose = () => "pass";
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `pagetrack: cannot use table "pt-other" at ${endpoint}: AWS rejected the credentials (check AWS_PROFILE or AWS_ACCESS_KEY_ID)\n`,
      );
    });
  });

  it("explains an unreachable endpoint in one line", async () => {
    const run = await runCli(["totals", "--endpoint", "http://127.0.0.1:9"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'pagetrack: cannot use table "pagetrack" at http://127.0.0.1:9: cannot connect (ECONNREFUSED)\n',
    );
  });

  it("asks for a region before using AWS", async () => {
    const run = await runCli(["totals", "--endpoint", "aws"], {
      env: { AWS_REGION: "", AWS_DEFAULT_REGION: "" },
    });
    expect(run.stderr).toBe(
      "pagetrack: set AWS_REGION to the region of the table (e.g. AWS_REGION=us-east-1)\n",
    );
  });
});
