import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { describeError, UserError } from "../errors.js";
import { EmbeddedEngine } from "./engine.js";
import { assertSiteId, DEFAULT_DATA_DIR, DEFAULT_TABLE } from "./keys.js";
import { PatientRetryStrategy } from "./retry.js";
import { Store } from "./store.js";

export interface ConnectOptions {
  /** A DynamoDB URL, `aws` for the AWS endpoint of AWS_REGION, or undefined for the embedded engine. */
  endpoint?: string;
  table?: string;
  /** The embedded engine's data directory. */
  data?: string;
  site?: string;
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
 * Opens the table on the embedded engine of a data directory, creating it on first use: the one way
 * the CLI, the tests and the benchmarks open it. The engine is started here, or the one another
 * process runs on the directory is used.
 */
export async function openEmbedded(dir: string, table = DEFAULT_TABLE): Promise<Embedded> {
  const engine = new EmbeddedEngine(dir);
  // The engine's port is set on every attempt of every request by engine.follow().
  const store = new Store({
    table,
    client: { region: "local", credentials: LOCAL_CREDENTIALS, endpoint: "http://127.0.0.1" },
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
  const site = siteId(options.site);
  const table = options.table ?? process.env.TARGET_DYNAMO_TABLE ?? DEFAULT_TABLE;
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (endpoint === undefined) {
    const { engine, store, close } = await openEmbedded(options.data ?? DEFAULT_DATA_DIR, table);
    return { store, site, where: `the embedded engine in ${engine.dir}`, engine, close };
  }
  let client: DynamoDBClientConfig;
  let where: string;
  if (endpoint === "aws") {
    const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new UserError("set AWS_REGION to the region of the table (e.g. AWS_REGION=us-east-1)");
    where = `DynamoDB in ${region}`;
    client = { region };
  } else {
    if (!/^https?:\/\//.test(endpoint)) {
      throw new UserError(`--endpoint "${endpoint}" is not a URL; give http(s)://host:port, or "aws"`);
    }
    where = endpoint;
    const hasCredentials = process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE;
    client = {
      endpoint,
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "local",
      ...(hasCredentials ? {} : { credentials: LOCAL_CREDENTIALS }),
    };
  }
  const store = new Store({ table, client });
  // The first request only checks the table, and an unreachable endpoint should fail fast.
  const check = new Store({ table, client: { ...client, retryStrategy: new PatientRetryStrategy(2) } });
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

export function siteId(site?: string): string {
  try {
    return assertSiteId(site ?? process.env.PAGETRACK_SITE ?? "default");
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}
