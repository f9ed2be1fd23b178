import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import type { DynamoDBClient, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-dynamodb";
import type { FinalizeRequestMiddleware } from "@smithy/types";
import { Level } from "level";
import { UserError } from "../errors.js";
import { sleep } from "./async.js";

/**
 * The embedded DynamoDB-compatible engine (dynalite on LevelDB) under a data directory.
 *
 * Only one process can open a LevelDB directory, so the first pagetrack process on a directory runs
 * the engine and publishes its port in `engine.json`; later processes use that engine over HTTP.
 * `engine.lock` (created with O_EXCL, holding the owner's pid) decides who runs it. When the owner
 * exits, a process still using the engine starts its own or finds the next: `follow()` asks
 * `endpoint()` before every attempt of every request, so the SDK's retries reach the new engine.
 */
export class EmbeddedEngine {
  readonly dir: string;
  private worker: Worker | undefined;
  private current: { pid: number; port: number } | undefined;
  /** Identifies the engine.json that `current` came from: a new owner writes a new file. */
  private stamp: string | undefined;
  private connecting: Promise<{ pid: number; port: number; stamp?: string }> | undefined;

  constructor(
    dataDir: string,
    /** How long to wait for a directory locked by a live process that runs no engine (15 s). */
    private readonly lockWaitMs = 15_000,
  ) {
    this.dir = resolve(dataDir);
  }

  private get lockFile() {
    return join(this.dir, "engine.lock");
  }

  private get infoFile() {
    return join(this.dir, "engine.json");
  }

  /** Whether this process runs the engine (rather than using another's). */
  get owner(): boolean {
    return this.worker !== undefined;
  }

  /** The engine's URL, starting or finding the engine as needed. */
  async endpoint(): Promise<string> {
    const current = this.current;
    // One stat a request: the engine in use is gone when its engine.json was removed or replaced.
    if (
      current === undefined ||
      (!this.owner && (this.stamp !== stampOf(this.infoFile) || !alive(current.pid)))
    ) {
      this.connecting ??= this.connect().finally(() => {
        this.connecting = undefined;
      });
      const next = await this.connecting;
      this.current = { pid: next.pid, port: next.port };
      this.stamp = next.stamp;
    }
    return `http://127.0.0.1:${(this.current as { port: number }).port}`;
  }

  /**
   * Points every attempt of every request of `client` at the engine running now. The SDK resolves the
   * endpoint once per request and retries at the same address, which is gone when the owner exits.
   */
  follow(client: DynamoDBClient): void {
    const follow: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
      (next) => async (args) => {
        const url = new URL(await this.endpoint());
        const request = args.request as { hostname: string; port?: number; headers: Record<string, string> };
        request.hostname = url.hostname;
        request.port = Number(url.port);
        request.headers.host = url.host;
        return next(args);
      };
    client.middlewareStack.addRelativeTo(follow, {
      name: "pagetrackEngine",
      relation: "after",
      toMiddleware: "retryMiddleware",
    });
  }

  private async connect(): Promise<{ pid: number; port: number; stamp?: string }> {
    mkdirSync(this.dir, { recursive: true });
    const deadline = Date.now() + this.lockWaitMs;
    for (;;) {
      if (this.tryLock()) return this.start();
      const holder = readPid(this.lockFile);
      if (holder === undefined ? olderThan(this.lockFile, 2000) : !alive(holder)) {
        // Left by a process that died: whatever it held is free again.
        rmSync(this.lockFile, { force: true });
        continue;
      }
      // The stamp is read first: if the file changes meanwhile, the next request notices.
      const stamp = stampOf(this.infoFile);
      const info = readJson(this.infoFile);
      if (info && info.pid === holder && alive(info.pid)) return { ...info, stamp };
      if (Date.now() > deadline) {
        throw new UserError(
          `the data directory ${this.dir} is locked by process ${holder ?? "?"}, which runs no engine; if no pagetrack is running, delete ${this.lockFile}`,
        );
      }
      await sleep(50);
    }
  }

  private tryLock(): boolean {
    try {
      const fd = openSync(this.lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  }

  private async start(): Promise<{ pid: number; port: number }> {
    try {
      await this.checkDatabase();
      const worker = new Worker(ENGINE_THREAD, {
        eval: true,
        workerData: {
          dynalite: createRequire(import.meta.url).resolve("dynalite"),
          path: join(this.dir, "db"),
        },
      });
      const port = await new Promise<number>((ok, fail) => {
        worker.once("message", ok);
        worker.once("error", fail);
      });
      // The engine must not keep a finished command alive; close() stops it.
      worker.unref();
      this.worker = worker;
      const info = { pid: process.pid, port };
      const tmp = `${this.infoFile}.${process.pid}`;
      writeFileSync(tmp, JSON.stringify(info));
      renameSync(tmp, this.infoFile);
      return info;
    } catch (error) {
      rmSync(this.lockFile, { force: true });
      throw error;
    }
  }

  /** Opens and closes the LevelDB first: the engine would crash on a database it cannot open. */
  private async checkDatabase(): Promise<void> {
    const db = new Level(join(this.dir, "db"));
    try {
      await db.open();
    } catch (error) {
      const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new UserError(
        `cannot open the database in ${this.dir} (${cause.split("\n")[0]}); is another program using it?`,
      );
    } finally {
      await db.close().catch(() => {});
    }
  }

  /** Stops the engine if this process runs it; another process then takes over. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.current = undefined;
    rmSync(this.infoFile, { force: true });
    worker.ref();
    await new Promise((done) => {
      worker.once("exit", done);
      worker.postMessage("close");
    });
    if (readPid(this.lockFile) === process.pid) rmSync(this.lockFile, { force: true });
  }
}

/**
 * The engine runs in a thread of its own: it gets the second core while this thread parses logs and
 * drives the SDK. It answers on a loopback port, for this process and for others alike.
 */
const ENGINE_THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const dynalite = require(workerData.dynalite);
const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
parentPort.on("message", () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 2000).unref();
});
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function stampOf(file: string): string | undefined {
  const info = statSync(file, { throwIfNoEntry: false });
  return info && `${info.ino}:${info.mtimeMs}`;
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return true;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function readJson(file: string): { pid: number; port: number } | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
