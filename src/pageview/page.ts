import { percentDecode } from "./decode.js";

/**
 * The page a request path names: without query string or fragment, without `;` path parameters
 * (`;jsessionid=…` in any segment: a session id must not make a page per session), percent-decoded,
 * with a trailing directory index (`index.html`, `Default.aspx`, …) folded into its folder:
 * `/blog/x/index.php` is `/blog/x/`. Pages keep their leading slash. Returns undefined for an empty
 * path (a request that names no object).
 */
export function canonicalPage(path: string): string | undefined {
  let end = path.length;
  const query = path.indexOf("?");
  if (query !== -1) end = query;
  const hash = path.indexOf("#");
  if (hash !== -1 && hash < end) end = hash;
  let raw = end === path.length ? path : path.slice(0, end);
  // Parameters are cut before decoding: an escaped `%3B` is a semicolon inside a name.
  if (raw.includes(";")) raw = withoutPathParameters(raw);
  let page = percentDecode(raw);
  if (page.length === 0) return undefined;
  if (page.charCodeAt(0) !== 47) page = `/${page}`;
  return foldDirectoryIndex(page);
}

/** `/shop;jsessionid=1/item;v=2` is `/shop/item`. */
function withoutPathParameters(path: string): string {
  return path.replace(/;[^/]*/g, "");
}

/**
 * The documents servers answer for a folder's URL. Compared without case: IIS, where `Default.aspx`
 * is the rule, treats paths so, and elsewhere a differently cased index name is a 404, never counted.
 */
const DIRECTORY_INDEXES: ReadonlySet<string> = new Set([
  "index.html",
  "index.htm",
  "index.shtml",
  "index.xhtml",
  "index.php",
  "index.asp",
  "index.aspx",
  "index.jsp",
  "index.cfm",
  "default.html",
  "default.htm",
  "default.asp",
  "default.aspx",
]);

function foldDirectoryIndex(page: string): string {
  const slash = page.lastIndexOf("/");
  const name = page.slice(slash + 1);
  // The shortest index name has 9 characters, the longest 12: most paths are out at once.
  if (name.length < 9 || name.length > 12) return page;
  return DIRECTORY_INDEXES.has(name.toLowerCase()) ? page.slice(0, slash + 1) : page;
}

/**
 * Extensions of documents that are HTML pages: static ones, and those of server-side pages, which
 * answer HTML whatever their name says (PHP, ASP and ASP.NET, JSP, JSF and Struts, ColdFusion,
 * server-side includes, CGI). Scripts that as often serve a file as a page (`.pl`, `.py`) and web
 * services (`.asmx`, `.ashx`) are left out.
 */
const PAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  "html",
  "htm",
  "xhtml",
  "shtml",
  "shtm",
  "stm",
  "php",
  "php3",
  "php4",
  "php5",
  "phtml",
  "asp",
  "aspx",
  "jsp",
  "jspx",
  "jsf",
  "do",
  "action",
  "cfm",
  "cfml",
  "cgi",
]);

/**
 * Whether a decoded page path looks like an HTML document: it ends in `/`, has no extension, or has
 * a page's extension (`.html`, `.php`, `.aspx`, … above).
 */
export function looksLikeHtml(page: string): boolean {
  if (page.endsWith("/")) return true;
  const name = page.slice(page.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot === -1) return true;
  return PAGE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}
