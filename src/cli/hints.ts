import { formatNumber } from "./messages.js";

/** A source that takes at least this share of the entries is worth a word when it may be the site itself. */
const OWN_HOST_SHARE = 0.1;

/**
 * Whether the site's own host looks like one of its top sources: the logs do not name the host each
 * request was made to (combined logs without a vhost), so a reader moving from page to page arrives
 * "from" the site's own host, unless it is known (`--own-host`, the site's setting). Names the
 * largest such source and how to fix it; undefined when nothing looks wrong.
 */
export function ownHostHint(
  sources: Map<string, number>,
  hostless: boolean,
  ownHosts: string[],
  recount: string,
): string | undefined {
  if (!hostless) return undefined;
  const entries = [...sources.values()].reduce((a, b) => a + b, 0);
  if (entries === 0) return undefined;
  const own = new Set(ownHosts.map((h) => h.toLowerCase()));
  const [host, n] =
    [...sources]
      .filter(([value]) => value.includes(".") && !value.includes(" ") && !own.has(value))
      .sort((a, b) => b[1] - a[1])[0] ?? [];
  if (host === undefined || n / entries < OWN_HOST_SHARE) return undefined;
  const share = `${formatNumber(Math.round((100 * n) / entries))}%`;
  return `"${host}" is the source of ${share} of entries, and these logs do not name the site's host: if ${host} is this site, run npx pagetrack site --own-host ${host}, then ${recount}, so that readers moving between its pages are not counted as arriving from it`;
}
