/** The HTTP API as the dashboard uses it: same origin by default, or the URL in <meta name="pagetrack-api">. */

export interface Point {
  t: string;
  views: number;
  /** Days, weeks and months in the site's zone only: the sum of the visitors of the site days in the bucket. */
  visitors?: number;
}

export interface Series {
  page: string | null;
  interval: string;
  tz: string;
  points: Point[];
  total: number;
  /** The visitors of the range (days, weeks and months in the site's zone only); absent otherwise. */
  visitors?: number;
}

export interface PageRow {
  page: string;
  views: number;
  /** All-time visitors (the sum of the page's days); only when the range is made of whole site days. */
  visitors?: number;
  first: string;
  last: string;
  viewsInRange?: number;
}

/** GET /site: the site's settings (visitors are counted in days of its zone). */
export interface SiteSettings {
  site: string;
  timeZone: string;
  ownHosts: string[];
}

/** An answer that was not a 2xx, with the API's own message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const TOKEN_KEY = "pagetrack-token";

export function apiBase(): string {
  const fromQuery = new URLSearchParams(location.search).get("api");
  const fromMeta = document.querySelector<HTMLMetaElement>('meta[name="pagetrack-api"]')?.content;
  return (fromQuery || fromMeta || "").replace(/\/$/, "");
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export async function get<T>(path: string, params: Record<string, string | undefined>): Promise<T> {
  const query = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
  );
  const token = sessionStorage.getItem(TOKEN_KEY);
  let res: Response;
  try {
    res = await fetch(`${apiBase()}${path}?${query}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
  } catch {
    throw new ApiError(
      `cannot reach the pagetrack API at ${apiBase() || location.origin}; is \`pagetrack serve\` running?`,
      0,
    );
  }
  const body = await res.json().catch(() => ({ error: `the API answered ${res.status} ${res.statusText}` }));
  if (!res.ok) throw new ApiError(body.error ?? `the API answered ${res.status}`, res.status);
  return body as T;
}

/** The audience dimensions of GET /breakdown. */
export type Dimension = "source" | "campaign" | "entry" | "browser" | "os" | "device" | "country";

/** GET /breakdown: values largest first; `total` counts every value, also those past the limit. */
export interface Breakdown {
  dimension: Dimension;
  from: string;
  to: string;
  total: number;
  values: { value: string; count: number }[];
  /** Who to credit for the countries, when an IP-to-country database named them. */
  attribution?: string;
}
