import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { serve as listen, type ServerType } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono, MiddlewareHandler } from "hono";
import type * as z from "zod/mini";
import { createApp } from "../api/app.js";
import { apiSettings } from "../api/settings.js";
import { parseEnv } from "../contract/params.js";
import { UserError } from "../errors.js";
import type { Connection } from "./connect.js";
import { DEFAULT_DATA_DIR } from "./defaults.js";
import type { Io } from "./io.js";

/** The dashboard, built by `npm run build` next to the compiled CLI. */
const DASHBOARD = fileURLToPath(new URL("../web", import.meta.url));

/** Where a served store is, as the options of a command that writes to it. */
export interface ServedStore {
  site?: string;
  table?: string;
  endpoint?: string;
  data?: string;
}

/** A shell word: quoted when it holds anything but plain path characters. */
const word = (value: string) =>
  /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;

/** The options that `pagetrack ingest` needs to write where this server reads (none for the defaults). */
export function storeArgs(store: ServedStore): string {
  const args: string[] = [];
  if (store.endpoint) args.push("--endpoint", store.endpoint);
  else if (store.data && store.data !== DEFAULT_DATA_DIR) args.push("--data", store.data);
  if (store.table) args.push("--table", store.table);
  if (store.site) args.push("--site", store.site);
  return args.map(word).join(" ");
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

/**
 * The dashboard's files; its page names the store's options in <meta name="pagetrack-store">, so
 * that an empty site's message gives the ingest command that fills this very store.
 */
function dashboard(store: ServedStore): MiddlewareHandler | undefined {
  if (!existsSync(DASHBOARD)) return undefined;
  const files = serveStatic({ root: DASHBOARD });
  const meta = `<meta name="pagetrack-store" content="${escapeHtml(storeArgs(store))}" />`;
  let page: string | undefined;
  return async (c, next) => {
    if (c.req.path !== "/") return files(c, next);
    page ??= (await readFile(`${DASHBOARD}/index.html`, "utf8")).replace("</head>", `  ${meta}\n  </head>`);
    return c.html(page);
  };
}

/** The API app with the settings of `serve`: environment variables, as on Lambda. */
export function localApp(io: Io, connection: Connection, store: ServedStore = {}): Hono {
  let settings: z.infer<typeof apiSettings>;
  try {
    settings = parseEnv(apiSettings, io.env);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  return createApp({
    store: connection.store,
    site: connection.site,
    corsOrigins: settings.PAGETRACK_CORS_ORIGINS,
    token: settings.PAGETRACK_API_TOKEN,
    cacheSeconds: settings.PAGETRACK_CACHE_SECONDS,
    log: (line) => io.stderr.write(`${line}\n`),
    assets: dashboard(store),
  });
}

/** What stops a server: the signals a terminal, `kill` or a service manager sends. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** A process as /proc names it: its id and when it started (an id alone may be reused). */
interface Proc {
  pid: number;
  started: string;
}

/** The parent, process group and start time of a process, from /proc (Linux); undefined when it is gone. */
function stat(pid: number | "self"): { ppid: number; pgrp: number; started: string } | undefined {
  try {
    // The command name (in parentheses) may hold spaces: the fields follow its last ")".
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return undefined;
    return { ppid: Number(fields[1]), pgrp: Number(fields[2]), started: fields[19] };
  } catch {
    return undefined;
  }
}

/**
 * The processes that started this one: its parent, and above it those of the same process group
 * (`npx pagetrack demo &` is npm, a shell and node in one job). npm forwards SIGTERM to the shell
 * only, and a SIGKILL or SIGHUP of npm forwards nothing, so the server watches them all.
 * Read when the command starts, before any of them can be gone.
 */
export function startedBy(): Proc[] {
  const self = stat("self");
  if (!self) return [];
  const chain: Proc[] = [];
  let pid = self.ppid;
  for (let s = stat(pid); s && pid > 1; pid = s.ppid, s = stat(pid)) {
    if (chain.length > 0 && s.pgrp !== self.pgrp) break;
    chain.push({ pid, started: s.started });
  }
  return chain;
}

/** Whether every process that started this one still runs (without /proc: whether the parent does). */
function starterRuns(chain: Proc[], parent: number): boolean {
  if (chain.length === 0) {
    try {
      process.kill(parent, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== "ESRCH";
    }
  }
  return chain.every((p) => stat(p.pid)?.started === p.started);
}

/**
 * Serves until a stop signal, or until the command that started it is gone (the server must not
 * outlive it on its port), logging one line per request; then stops cleanly.
 */
export async function serveUntilStopped(
  io: Io,
  connection: Connection,
  flags: { port: number; host: string } & ServedStore,
  starters = startedBy(),
  app = localApp(io, connection, flags),
): Promise<void> {
  const parent = process.ppid;
  if (!starterRuns(starters, parent)) return;
  let server: ServerType | undefined;
  const address = await new Promise<{ port: number }>((resolve, reject) => {
    server = listen({ fetch: app.fetch, port: flags.port, hostname: flags.host }, (info) => resolve(info));
    server.once("error", reject);
  });
  io.stdout.write(
    `pagetrack is serving ${connection.where} at http://${flags.host}:${address.port}/ (Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolve) => {
    const watch = setInterval(() => {
      if (!starterRuns(starters, parent)) stop();
    }, 1000);
    watch.unref();
    const stop = () => {
      clearInterval(watch);
      for (const signal of STOP_SIGNALS) process.off(signal, stop);
      server?.close(() => resolve());
      (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, stop);
  });
}
