import { type CounterName, SITE_KEY } from "../counters/registry.js";
import type { PageView } from "../pageview/view.js";

/**
 * The normalisers of the counters of counters/registry.ts: the key a page request counts under, or
 * undefined when the counter does not count it. Every counter must have one.
 */
export const KEY_OF: { readonly [C in CounterName]: (view: PageView) => string | undefined } = {
  page: (view) => (view.counted ? view.page : undefined),
  site: (view) => (view.counted ? SITE_KEY : undefined),
  bots: (view) => (view.bot ? SITE_KEY : undefined),
};
