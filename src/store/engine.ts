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
import { MessageChannel, Worker } from "node:worker_threads";
import type { DynamoDBClient, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-dynamodb";
import type { FinalizeRequestMiddleware } from "@smithy/types";
import { Level } from "level";
import { UserError } from "../errors.js";
import { THREAD_LIMITS } from "../threads.js";
import { sleep } from "./async.js";
import { LocalChannel } from "./local.js";

/**
 * The embedded DynamoDB-compatible engine (dynalite on LevelDB) under a data directory.
 *
 * Only one process can open a LevelDB directory, so the first pagetrack process on a directory runs
 * the engine and publishes its port in `engine.json`; later processes use that engine over HTTP.
 * `engine.lock` (created with O_EXCL, holding the owner's pid) decides who runs it. When the owner
 * exits, a process still using the engine starts its own or finds the next: `follow()` asks
 * `endpoint()` before every attempt of every request, so the SDK's retries reach the new engine.
 * The process that runs the engine hands its own requests to the engine's thread over a message
 * port instead (`send()`: no SDK, no socket, no HTTP on either side); the port serves the others.
 */
export class EmbeddedEngine {
  readonly dir: string;
  private worker: Worker | undefined;
  /** This process's own requests to its engine thread: see `send()`. */
  private channel: LocalChannel | undefined;
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

  /**
   * A request of the document client (`GetItem` and its input as `GetCommand` takes it), answered by
   * this process's engine thread, which marshals it and hands it to dynalite as it would arrive over
   * HTTP; the answer comes back as the document client gives it, or as the error it would throw.
   * Undefined when this process does not run the engine; resolves undefined when the engine stopped
   * before answering: the SDK then finds the engine running now.
   */
  send(operation: string, input: object): Promise<Record<string, unknown> | undefined> | undefined {
    return this.channel?.send(operation, input);
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
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(ENGINE_THREAD, {
        eval: true,
        workerData: {
          dynalite: createRequire(import.meta.url).resolve("dynalite"),
          path: join(this.dir, "db"),
          requests: port2,
        },
        transferList: [port2],
        resourceLimits: THREAD_LIMITS,
      });
      const port = await new Promise<number>((ok, fail) => {
        worker.once("message", ok);
        worker.once("error", fail);
      });
      // The engine must not keep a finished command alive; close() stops it.
      worker.unref();
      this.worker = worker;
      const channel = new LocalChannel(port1);
      this.channel = channel;
      worker.once("exit", () => {
        if (this.channel === channel) this.channel = undefined;
        channel.stop();
      });
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
    this.channel = undefined;
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
 * drives the SDK. It answers everyone on a loopback port (dynalite's HTTP server) and this process
 * on a message port (local.ts): the JSON the SDK would send goes to dynalite's own validations and
 * action, and the answer comes back as the object dynalite would send as JSON.
 *
 * dynalite parses every expression of every request with a PEG parser; the thread keeps each parse
 * and reuses it for a request of the same expression and value types, with that request's names and
 * values put in. The parsers check only the types of values, except BETWEEN (its bounds' order) and
 * attribute_type (the type named): for those the values are part of the key. Names are compared only
 * with one another, so a parse against distinct stand-ins holds for any distinct names that the
 * expression does not also write out.
 */
const ENGINE_THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { dirname, join } = require("node:path");
const dynalite = require(workerData.dynalite);

// A value of the request in a kept parse.
class Slot {
  constructor(name) {
    this.name = name;
  }
}
// Marks an attribute name in a kept parse: the placeholder follows.
const NAME = "\\u0001";

/** A copy of a parse tree; swap(node) gives what replaces a node or an object's key, or undefined. */
function copy(node, swap, seen = new Map()) {
  const swapped = swap(node);
  if (swapped !== undefined) return swapped;
  if (node === null || typeof node !== "object") return node;
  if (seen.has(node)) return seen.get(node);
  const out = Array.isArray(node) ? [] : Object.create(Object.getPrototypeOf(node));
  seen.set(node, out);
  for (const key of Object.keys(node)) out[swap(key) ?? key] = copy(node[key], swap, seen);
  return out;
}

/**
 * Whether a parse against stand-in names is the parse against these: the names are distinct and
 * none is written in the expression itself (the parsers compare names only with one another).
 */
function standIn(text, names) {
  const seen = new Set();
  for (const name of Object.values(names)) {
    if (seen.has(name) || name.startsWith(NAME) || text.includes(name)) return false;
    seen.add(name);
  }
  return true;
}

function keyOf(text, values) {
  if (/between|attribute_type/i.test(text)) return text + "\\0" + JSON.stringify(values);
  let key = text + "\\0";
  for (const name in values) key += name + ":" + Object.keys(values[name]).join() + ";";
  return key;
}

function cacheParses(parser) {
  const parse = parser.parse;
  const parsed = new Map();
  parser.parse = (text, options) => {
    const context = options.context;
    const names = context.attrNames || {};
    const values = context.attrVals || {};
    if (!standIn(text, names)) return parse(text, options);
    const key = keyOf(text, values);
    let entry = parsed.get(key);
    if (entry !== undefined && !(entry.names.every((n) => n in names) && entry.values.every((v) => v in values)))
      return parse(text, options);
    if (entry === undefined) {
      // Parsed against stand-in names, and every name and value unused, to learn which ones it uses.
      const unusedNames = { ...names };
      const unusedValues = { ...values };
      const standIns = {};
      for (const name in names) standIns[name] = NAME + name;
      const result = parse(text, {
        context: { ...context, attrNames: standIns, unusedAttrNames: unusedNames, unusedAttrVals: unusedValues },
      });
      // An error names the real names: the parse is made again with them.
      if (typeof result === "string") return parse(text, options);
      const byValue = new Map(Object.entries(values).map(([name, value]) => [value, name]));
      entry = {
        template: copy(result, (node) => (byValue.has(node) ? new Slot(byValue.get(node)) : undefined)),
        names: Object.keys(names).filter((name) => !(name in unusedNames)),
        values: Object.keys(values).filter((name) => !(name in unusedValues)),
      };
      if (parsed.size >= 10000) parsed.clear();
      parsed.set(key, entry);
    }
    for (const name of entry.names) delete context.unusedAttrNames[name];
    for (const name of entry.values) delete context.unusedAttrVals[name];
    return copy(entry.template, (node) =>
      node instanceof Slot
        ? values[node.name]
        : typeof node === "string" && node.startsWith(NAME)
          ? names[node.slice(1)]
          : undefined,
    );
  };
}

const root = dirname(workerData.dynalite);
for (const name of ["conditionParser", "updateParser", "projectionParser"]) cacheParses(require(join(root, "db", name)));

const validations = require(join(root, "validations"));
// The store dynalite makes for its server, for this process's requests.
const db = require(join(root, "db"));
const create = db.create;
let store;
db.create = (options) => (store = create(options));
const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
db.create = create;

// An item read goes to LevelDB on the thread pool and back through a promise and a timer; most
// reads are in LevelDB's cache, which the synchronous read answers in microseconds. (The answer
// still comes on a later turn, as before.)
const level = store.db;
const readLater = level.get;
level.get = function (key, done) {
  if (typeof done !== "function" || level.status !== "open" || store.lifecycleManager.getState() === "closed")
    return readLater.call(this, key, done);
  let value;
  try {
    value = level.getSync(key);
  } catch {
    return readLater.call(this, key, done);
  }
  setImmediate(done, null, value);
};
// Writes made in one turn (the many requests of a batch or of a busy client) go to LevelDB as one
// batch, each answered when that batch is written, as each was when written alone.
const writeNow = { put: level.put, del: level.del, batch: level.batch };
let queued;
function writeLater(operations, done) {
  if (queued === undefined) {
    queued = { operations: [], done: [] };
    setImmediate(() => {
      const { operations, done } = queued;
      queued = undefined;
      writeNow.batch.call(level, operations, (error) => {
        for (const answer of done) answer(error);
      });
    });
  }
  queued.operations.push(...operations);
  queued.done.push(done);
}
level.put = function (key, value, done) {
  if (typeof done !== "function") return writeNow.put.call(this, key, value, done);
  writeLater([{ type: "put", key, value }], done);
};
level.del = function (key, done) {
  if (typeof done !== "function") return writeNow.del.call(this, key, done);
  writeLater([{ type: "del", key }], done);
};
level.batch = function (operations, done) {
  if (typeof done !== "function") return writeNow.batch.call(this, operations, done);
  writeLater(operations, done);
};

// dynalite reads the table's description (JSON in LevelDB) for every request: an active table's is
// kept here for the item operations (they only read it; the table operations, which change it, read
// it afresh) until any table is written.
const tables = new Map();
for (const method of ["put", "del", "batch"]) {
  const write = store.tableDb[method];
  store.tableDb[method] = function (...args) {
    tables.clear();
    return write.apply(this, args);
  };
}
const getTable = store.getTable;
store.getTable = (name, checkStatus, done) => {
  // The item operations pass no checkStatus (the callback comes second): the status is checked.
  if (typeof checkStatus !== "function") return getTable(name, checkStatus, done);
  const kept = tables.get(name);
  if (kept) return process.nextTick(checkStatus, null, kept);
  getTable(name, true, (error, table) => {
    if (!error && table.TableStatus === "ACTIVE") tables.set(name, table);
    checkStatus(error, table);
  });
};
server.keepAliveTimeout = 60000;
// dynalite's own steps for a request, after its HTTP checks: types, validations, the action.
const checks = {};
const actions = {};
function call(operation, data, done) {
  const name = validations.toLowerFirst(operation);
  const check = (checks[name] ??= require(join(root, "validations", name)));
  const action = (actions[name] ??= require(join(root, "actions", name)));
  const checked = validations.checkTypes(data, check.types);
  validations.checkValidations(checked, check.types, check.custom, store);
  action(store, checked, done);
}

const requests = workerData.requests;
requests.on("message", ({ id, operation, body }) => {
  const reply = (message) => requests.postMessage({ id, ...message });
  const fail = (error) => {
    const body = error.statusCode ? error.body : { __type: "InternalServerError", message: String(error.message) };
    reply({ error: { name: String(body.__type).split("#").pop(), message: body.message ?? body.Message ?? "" } });
  };
  try {
    call(operation, JSON.parse(body), (error, output) => (error ? fail(error) : reply({ output })));
  } catch (error) {
    fail(error);
  }
});
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
