/** The HTTP API as the dashboard uses it: same origin by default, or the URL in <meta name="pagetrack-api">. */

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
