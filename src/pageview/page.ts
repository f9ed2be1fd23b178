import { percentDecode } from "./decode.js";

/**
 * The page a request path names: percent-decoded, without query string or fragment, with a trailing
 * `index.html` folded into its folder (`/blog/x/index.html` is `/blog/x/`). Pages keep their leading
 * slash. Returns undefined for an empty path (a request that names no object).
 */
export function canonicalPage(path: string): string | undefined {
  let end = path.length;
  const query = path.indexOf("?");
  if (query !== -1) end = query;
  const hash = path.indexOf("#");
  if (hash !== -1 && hash < end) end = hash;
  let page = percentDecode(end === path.length ? path : path.slice(0, end));
  if (page.length === 0) return undefined;
  if (page.charCodeAt(0) !== 47) page = `/${page}`;
  if (page.endsWith("/index.html")) page = page.slice(0, -10);
  return page;
}

/** Whether a decoded page path looks like an HTML document: `/`, `.html`, `.htm`, or no extension. */
export function looksLikeHtml(page: string): boolean {
  if (page.endsWith("/")) return true;
  const name = page.slice(page.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot === -1) return true;
  const ext = name.slice(dot + 1).toLowerCase();
  return ext === "html" || ext === "htm";
}
