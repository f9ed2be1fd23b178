/**
 * Where a reader came from, as docs/page-views.md defines it: the hosts of referrers, the site's own hosts,
 * the families of the best-known referrers, and the source of an entry.
 */

/** A host as hosts are compared: lower case, without a leading `www.` and without a port. */
export function normaliseHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[")) h = h.slice(0, h.indexOf("]") + 1);
  else {
    const colon = h.indexOf(":");
    if (colon !== -1) h = h.slice(0, colon);
  }
  if (h.endsWith(".")) h = h.slice(0, -1);
  return h.startsWith("www.") ? h.slice(4) : h;
}

/**
 * The host of a referrer URL, normalised; for `android-app://ID/` the app's ID. Undefined for what
 * has no host (`-`, "", a bare word).
 */
export function referrerHost(referrer: string): string | undefined {
  const scheme = referrer.indexOf("://");
  if (scheme <= 0) return undefined;
  let end = referrer.length;
  for (const stop of ["/", "?", "#"]) {
    const at = referrer.indexOf(stop, scheme + 3);
    if (at !== -1 && at < end) end = at;
  }
  let authority = referrer.slice(scheme + 3, end);
  const at = authority.lastIndexOf("@");
  if (at !== -1) authority = authority.slice(at + 1);
  const host = normaliseHost(authority);
  return host === "" ? undefined : host;
}

// The families docs/page-views.md lists: hosts (normalised) and host patterns to the name shown.
const FAMILY_HOSTS: Record<string, string> = {
  "bing.com": "Bing",
  "duckduckgo.com": "DuckDuckGo",
  "yahoo.com": "Yahoo",
  "search.yahoo.com": "Yahoo",
  "yandex.ru": "Yandex",
  "yandex.com": "Yandex",
  "baidu.com": "Baidu",
  "ecosia.org": "Ecosia",
  "t.co": "Twitter",
  "twitter.com": "Twitter",
  "x.com": "Twitter",
  "facebook.com": "Facebook",
  "m.facebook.com": "Facebook",
  "l.facebook.com": "Facebook",
  "lm.facebook.com": "Facebook",
  "linkedin.com": "LinkedIn",
  "lnkd.in": "LinkedIn",
  "reddit.com": "Reddit",
  "old.reddit.com": "Reddit",
  "out.reddit.com": "Reddit",
  "news.ycombinator.com": "Hacker News",
  "github.com": "GitHub",
  "stackoverflow.com": "Stack Overflow",
  "youtube.com": "YouTube",
  "m.youtube.com": "YouTube",
  "com.google.android.gm": "Gmail",
};
// google.<tld>, google.co.<cc>, google.com.<cc>
const GOOGLE = /^google\.(?:[a-z]{2,}|co\.[a-z]{2}|com\.[a-z]{2})$/;

/** The family a referrer host belongs to (`Google`, `Reddit`, ...), or undefined. */
export function family(host: string): string | undefined {
  return FAMILY_HOSTS[host] ?? (GOOGLE.test(host) ? "Google" : undefined);
}

/** What a query string says of a visit's origin: its source (utm_source, source, ref) and campaign. */
export function campaignOf(query: string): { source?: string; campaign?: string } {
  if (query === "") return {};
  const found: Record<string, string> = {};
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    if (eq === -1) continue;
    const name = pair.slice(0, eq);
    if (name !== "utm_source" && name !== "source" && name !== "ref" && name !== "utm_campaign") continue;
    if (found[name] !== undefined) continue;
    const value = decodeParam(pair.slice(eq + 1));
    if (value !== "") found[name] = value;
  }
  return {
    source: found.utm_source ?? found.source ?? found.ref,
    campaign: found.utm_campaign,
  };
}

/** A query parameter's value as URLSearchParams reads it (`+` is a space), kept when an escape is broken. */
function decodeParam(value: string): string {
  const spaced = value.replaceAll("+", " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
