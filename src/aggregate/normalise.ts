import type { Reader } from "../audience/audience.js";
import { type CounterName, SITE_KEY } from "../counters/registry.js";
import type { PageView } from "../pageview/view.js";

/**
 * The normalisers of the counters of counters/registry.ts: the key a page request counts under, or
 * undefined when the counter does not count it. `reader` describes the reader of a counted view
 * (audience/audience.ts); bots' requests have none. Every counter must have one.
 */
export const KEY_OF: {
  readonly [C in CounterName]: (view: PageView, reader: Reader | undefined) => string | undefined;
} = {
  page: (view) => (view.counted ? view.page : undefined),
  site: (view) => (view.counted ? SITE_KEY : undefined),
  bots: (view) => (view.bot ? SITE_KEY : undefined),
  visitors: (_, reader) => (reader ? SITE_KEY : undefined),
  pageVisitors: (view, reader) => (reader ? view.page : undefined),
  source: (_, reader) => (reader?.entry ? reader.source : undefined),
  campaign: (_, reader) => (reader?.entry ? reader.campaign : undefined),
  entry: (view, reader) => (reader?.entry ? view.page : undefined),
  browser: (_, reader) => reader?.browser,
  os: (_, reader) => reader?.os,
  device: (_, reader) => reader?.device,
  country: (_, reader) => reader?.country,
};
