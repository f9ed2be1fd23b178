import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serve as listen, type ServerType } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";
import type * as z from "zod/mini";
import { createApp } from "../api/app.js";
import { apiSettings, parseEnv } from "../api/settings.js";
import { UserError } from "../errors.js";
import type { Connection } from "../store/connect.js";

/** The dashboard, built by `npm run build` next to the compiled CLI. */
const DASHBOARD = fileURLToPath(new URL("../web", import.meta.url));

/** The API app with the settings of `serve`: environment variables, as on Lambda. */
export function localApp(connection: Connection): Hono {
  let settings: z.infer<typeof apiSettings>;
  try {
    settings = parseEnv(apiSettings, process.env);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  return createApp({
    store: connection.store,
    site: connection.site,
    corsOrigins: settings.PAGETRACK_CORS_ORIGINS,
    token: settings.PAGETRACK_API_TOKEN,
    cacheSeconds: settings.PAGETRACK_CACHE_SECONDS,
    log: (line) => process.stderr.write(`${line}\n`),
    assets: existsSync(DASHBOARD) ? serveStatic({ root: DASHBOARD }) : undefined,
  });
}

/** Serves until SIGINT or SIGTERM, logging one line per request; then stops cleanly. */
export async function serveUntilStopped(
  connection: Connection,
  flags: { port: number; host: string },
  app = localApp(connection),
): Promise<void> {
  let server: ServerType | undefined;
  const address = await new Promise<{ port: number }>((resolve, reject) => {
    server = listen({ fetch: app.fetch, port: flags.port, hostname: flags.host }, (info) => resolve(info));
    server.once("error", reject);
  });
  process.stdout.write(
    `pagetrack is serving ${connection.where} at http://${flags.host}:${address.port}/ (Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server?.close(() => resolve());
      (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
