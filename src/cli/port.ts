import { createServer } from "node:net";
import { InvalidArgumentError } from "commander";
import { UserError } from "../errors.js";

/** `--port`: a whole number from 0 to 65535. */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`"${value}" is not a port number (0 to 65535)`);
  return n;
}

/**
 * Fails with a one-line error when the port cannot be listened on, naming a free one to use: checked
 * before any work (the demo generates and ingests for a while before it serves).
 */
export async function checkPort(wanted: number, host: string): Promise<void> {
  const problem = await tryListen(wanted, host);
  if (problem === undefined) return;
  if (problem === "EADDRINUSE") {
    let free: number | undefined;
    for (let p = wanted + 1; p <= Math.min(65535, wanted + 20) && free === undefined; p++)
      if ((await tryListen(p, host)) === undefined) free = p;
    throw new UserError(
      `port ${wanted} on ${host} is in use (another pagetrack serve or demo?); pick another${free ? `, e.g. --port ${free}` : " with --port"}`,
    );
  }
  if (problem === "EACCES")
    throw new UserError(
      `port ${wanted} needs privileges on this machine; use a port above 1023, e.g. --port 8080`,
    );
  if (problem === "EADDRNOTAVAIL")
    throw new UserError(`--host ${host} is not an address of this machine; use 127.0.0.1 or 0.0.0.0`);
  throw new UserError(`cannot listen on ${host}:${wanted} (${problem})`);
}

/** Listens and closes at once; the error code when it cannot. */
function tryListen(p: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen(p, host, () => server.close(() => resolve(undefined)));
  });
}
