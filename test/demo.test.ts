import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys, PK, SK } from "../src/store/keys.js";
import { runCli } from "./support/cli.js";
import { ROOT, tempDir } from "./support/paths.js";
import { startEngine } from "./support/store.js";

/** Starts a command in a process group of its own, as a shell's `&` does; resolves with its dashboard's port. */
async function startServing(command: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const seen = (d: Buffer) => {
      output += d;
      const match = /is serving .* at http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout?.on("data", seen);
    child.stderr?.on("data", seen);
    child.on("exit", (code) => reject(new Error(`exited (${code}) before serving: ${output}`)));
  });
  return { child, port };
}

/** Whether something still accepts connections on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** `pagetrack demo`, the README's first command, as a new user runs it (without serving). */
describe("demo", () => {
  let dir: string;
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    dir = await tempDir();
    busy = createServer();
    busyPort = await new Promise<number>((resolve) =>
      busy.listen(0, "127.0.0.1", () => resolve((busy.address() as { port: number }).port)),
    );
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it("generates traffic up to now and never later, and a second run counts nothing twice", async () => {
    const data = join(dir, "demo");
    const first = await runCli(["demo", "--no-serve", "--days", "2", "--data", data]);
    expect(first.stderr).toMatch(/Generating 2 days of CloudFront logs/);
    expect(first.code).toBe(0);
    const total = Number(/^([\d,]+) page views on/m.exec(first.stdout)?.[1].replaceAll(",", ""));
    expect(total).toBeGreaterThan(100);
    expect(first.stdout).toContain(`npx pagetrack totals --data ${data}`);

    const now = Date.now();
    const hours = await runCli(["views", "--json", "--interval", "hour", "--data", data]);
    const points: { t: string; views: number }[] = JSON.parse(hours.stdout).points;
    const future = points.filter((p) => Date.parse(p.t) > now && p.views > 0);
    expect(future).toEqual([]);
    // The hour that holds "now" has the last views: the logs run up to the minute the demo started.
    const lastWithViews = points.filter((p) => p.views > 0).at(-1);
    expect(now - Date.parse(lastWithViews?.t ?? "")).toBeLessThan(2 * 3600_000);

    const again = await runCli(["demo", "--no-serve", "--days", "2", "--data", data]);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/Generating/);
    expect(again.stdout).toContain(`${total.toLocaleString("en-US")} page views on`);

    // A demo table of an earlier layout (a clone pulled since): its logs are counted again, anew.
    const { store, engine } = await startEngine(data);
    await store.update(
      { [PK]: keys.meta("default"), [SK]: "schema" },
      "SET #s = :s",
      { "#s": "schema" },
      { ":s": 2 },
    );
    store.destroy();
    await engine.close();
    const older = await runCli(["demo", "--no-serve", "--days", "2", "--data", data]);
    expect(older.code).toBe(0);
    expect(older.stderr).toMatch(/is of an earlier pagetrack: counting its logs again/);
    expect(older.stdout).toContain(`${total.toLocaleString("en-US")} page views on`);
  }, 120_000);

  it("points a read command on the empty default data at the demo's", async () => {
    const cwd = join(dir, "new-user");
    await mkdir(cwd);
    expect((await runCli(["demo", "--no-serve", "--days", "1"], { cwd })).code).toBe(0);
    for (const args of [["views"], ["views", "/about/"], ["top", "browser"]]) {
      const run = await runCli(args, { cwd });
      expect(run.code).toBe(0);
      expect(run.stderr).toBe(
        "pagetrack: this site has no views yet; the demo's are in .pagetrack/demo: add --data .pagetrack/demo\n",
      );
    }
    const about = await runCli(["views", "/about/", "--data", ".pagetrack/demo"], { cwd });
    expect(about.stderr).toBe("");
    expect(about.stdout).toMatch(/[1-9][\d,]* views of \/about\//);
  }, 60_000);

  it.each([
    ["demo", ["demo"]],
    ["serve", ["serve"]],
  ])("%s on a busy port stops at once, before any work, naming a free port", async (_, command) => {
    const data = join(dir, `busy-${command[0]}`);
    const started = Date.now();
    const run = await runCli([...command, "--port", String(busyPort), "--data", data]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^pagetrack: port ${busyPort} on 127\\.0\\.0\\.1 is in use \\(another pagetrack serve or demo\\?\\); pick another, e\\.g\\. --port \\d+\\n$`,
      ),
    );
    expect(existsSync(join(data, "logs"))).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("rejects a port or a number of days that is not one", async () => {
    const port = await runCli(["demo", "--port", "80a"]);
    expect(port.code).toBe(1);
    expect(port.stderr).toMatch(/"80a" is not a port number/);
    const days = await runCli(["demo", "--days", "-3"]);
    expect(days.code).toBe(1);
    expect(days.stderr).toMatch(/"-3" is not a number of days from 1 to 3660/);
  });

  describe("stops serving when the command that started it stops", () => {
    let data: string;
    beforeAll(async () => {
      data = join(dir, "killed");
      // Generated and ingested once: each run below only serves.
      expect((await runCli(["demo", "--no-serve", "--days", "1", "--data", data])).code).toBe(0);
    }, 120_000);

    // `npx pagetrack demo &`, then `kill` of its process: npx runs pagetrack under a shell, so these
    // reach npm alone (SIGKILL: the parent dies without a word to its children).
    it.each(["SIGTERM", "SIGHUP", "SIGKILL"] as const)(
      "npx pagetrack demo & killed with %s",
      async (signal) => {
        const { child, port } = await startServing("npx", [
          "pagetrack",
          "demo",
          "--port",
          "0",
          "--data",
          data,
        ]);
        expect(await listening(port)).toBe(true);
        child.kill(signal);
        await expect.poll(() => listening(port), { timeout: 10_000, interval: 200 }).toBe(false);
      },
      60_000,
    );

    // Ctrl-C, or `kill -INT %1`: the whole job gets it. (npm passes a SIGINT sent to it alone to
    // its shell, which waits for the command it runs: npm's way with every command.)
    it("npx pagetrack demo & interrupted", async () => {
      const { child, port } = await startServing("npx", ["pagetrack", "demo", "--port", "0", "--data", data]);
      process.kill(-(child.pid as number), "SIGINT");
      await expect.poll(() => listening(port), { timeout: 10_000, interval: 200 }).toBe(false);
    }, 60_000);

    it("serve under a shell that is killed", async () => {
      const { child, port } = await startServing("sh", [
        "-c",
        `"${process.execPath}" bin/pagetrack.js serve --port 0 --data "${data}/../killed"; echo done`,
      ]);
      expect(await listening(port)).toBe(true);
      child.kill("SIGKILL");
      await expect.poll(() => listening(port), { timeout: 10_000, interval: 200 }).toBe(false);
    }, 60_000);
  });
});
