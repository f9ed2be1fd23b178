import { handle } from "hono/aws-lambda";
import { createApp } from "../api/app.js";
import { Store } from "../store/store.js";
import { configFromEnv } from "./config.js";

/** The HTTP API behind API Gateway (HTTP API, payload format 2.0). */
const config = configFromEnv(process.env);
const store = new Store({ table: config.TARGET_DYNAMO_TABLE });

export const handler = handle(
  createApp({
    store,
    site: config.PAGETRACK_SITE,
    corsOrigins: config.PAGETRACK_CORS_ORIGINS,
    token: config.PAGETRACK_API_TOKEN,
    cacheSeconds: config.PAGETRACK_CACHE_SECONDS,
  }),
);
