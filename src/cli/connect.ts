import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { describeError, UserError } from "../errors.js";
import { EmbeddedEngine } from "../store/engine.js";
import { assertSiteId } from "../store/keys.js";
import { PatientRetryStrategy } from "../store/retry.js";
import { Store } from "../store/store.js";
import { DEFAULT_DATA_DIR, DEFAULT_TABLE } from "./defaults.js";

export interface ConnectOptions {
  /** A DynamoDB URL, `aws` for the AWS endpoint of AWS_REGION, or undefined for the embedded engine. */
  endpoint?: string;
  table?: string;
  /** The embedded engine's data directory. */
  data?: string;
  site?: string;
  /** Where the settings below come from (default: the process's environment). */
  env?: NodeJS.ProcessEnv;
}

export interface Connection {
  store: Store;
  site: string;
  /** Where the table is, for messages. */
  where: string;
  engine?: EmbeddedEngine;
  close(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: "pagetrack", secretAccessKey: "pagetrack" };

/** A store on the embedded engine of a data directory. */
export interface Embedded {
  engine: EmbeddedEngine;
  store: Store;
  close(): Promise<void>;
}

/**
 * How long a run waits, from the environment. Both are for tests of outages and of a locked data
 * directory, which would otherwise wait real seconds: PAGETRACK_BACKOFF_MS, the first step of the
 * backoff between attempts of a request (25 ms); PAGETRACK_LOCK_WAIT_MS, how long to wait for a data
 * directory locked by a live process that runs no engine (15 s).
 */
export interface Waits {
  backoffMs?: number;
  lockWaitMs?: number;
}

export function waitsOf(env: NodeJS.ProcessEnv): Waits {
  const ms = (name: string) => {
    const value = env[name];
    if (value === undefined || value === "") return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0)
      throw new UserError(`${name}="${value}" is not a number of milliseconds`);
    return n;
  };
  return { backoffMs: ms("PAGETRACK_BACKOFF_MS"), lockWaitMs: ms("PAGETRACK_LOCK_WAIT_MS") };
}

/**
 * Opens the table on the embedded engine of a data directory, creating it on first use: the one way
 * the CLI, the tests and the benchmarks open it. The engine is started here, or the one another
 * process runs on the directory is used.
 */
export async function openEmbedded(dir: string, table = DEFAULT_TABLE, waits: Waits = {}): Promise<Embedded> {
  const engine = new EmbeddedEngine(dir, waits.lockWaitMs);
  // The engine's port is set on every attempt of every request by engine.follow().
  const store = new Store({
    table,
    client: { region: "local", credentials: LOCAL_CREDENTIALS, endpoint: "http://127.0.0.1" },
    backoffMs: waits.backoffMs,
    // This process's own engine answers without the SDK; another process's over HTTP.
    local: engine,
  });
  engine.follow(store.client);
  const close = async () => {
    store.destroy();
    await engine.close();
  };
  try {
    if (!(await store.tableExists())) await store.createTable();
  } catch (error) {
    await close();
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot use the embedded engine in ${engine.dir}: ${describeError(error)}`);
  }
  return { engine, store, close };
}

/**
 * Opens the table: on the embedded engine by default (created on first use), or on any DynamoDB
 * endpoint (`--endpoint`, AWS_ENDPOINT_URL_DYNAMODB, or `aws`), where it must already exist unless
 * `create` is set (`pagetrack init`): a table is never created implicitly on a real endpoint.
 */
export async function connect(options: ConnectOptions, create = false): Promise<Connection> {
  const env = options.env ?? process.env;
  const site = siteId(options.site, env);
  const table = options.table ?? env.TARGET_DYNAMO_TABLE ?? DEFAULT_TABLE;
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB;
  const waits = waitsOf(env);
  if (endpoint === undefined) {
    const { engine, store, close } = await openEmbedded(options.data ?? DEFAULT_DATA_DIR, table, waits);
    return { store, site, where: `the embedded engine in ${engine.dir}`, engine, close };
  }
  let client: DynamoDBClientConfig;
  let where: string;
  if (endpoint === "aws") {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new UserError("set AWS_REGION to the region of the table (e.g. AWS_REGION=us-east-1)");
    where = `DynamoDB in ${region}`;
    client = { region, ...credentialsOf(env) };
  } else {
    if (!/^https?:\/\//.test(endpoint)) {
      throw new UserError(`--endpoint "${endpoint}" is not a URL; give http(s)://host:port, or "aws"`);
    }
    where = endpoint;
    const hasCredentials = env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE;
    client = {
      endpoint,
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "local",
      ...(hasCredentials ? credentialsOf(env) : { credentials: LOCAL_CREDENTIALS }),
    };
  }
  const store = new Store({ table, client, backoffMs: waits.backoffMs });
  // The first request only checks the table, and an unreachable endpoint should fail fast.
  const check = new Store({
    table,
    client: { ...client, retryStrategy: new PatientRetryStrategy(2, waits.backoffMs) },
  });
  const close = async () => store.destroy();
  try {
    const exists = await check.tableExists().finally(() => check.destroy());
    if (!exists) {
      if (create) await store.createTable();
      else
        throw new UserError(`table "${table}" does not exist at ${where}; create it with \`pagetrack init\``);
    }
  } catch (error) {
    await close();
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot use table "${table}" at ${where}: ${describeError(error)}`);
  }
  return { store, site, where, close };
}

/**
 * The credentials the environment names (keys, or a profile), for the SDK; none when it names none,
 * and the SDK's own chain then looks further (SSO, the instance's role).
 */
function credentialsOf(env: NodeJS.ProcessEnv): Partial<DynamoDBClientConfig> {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (accessKeyId && secretAccessKey)
    return { credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } };
  return env.AWS_PROFILE ? { profile: env.AWS_PROFILE } : {};
}

export function siteId(site?: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return assertSiteId(site ?? env.PAGETRACK_SITE ?? "default");
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}
