/**
 * Which crawler a bot's user agent names, and what kind of crawler it is (docs/page-views.md,
 * "Crawlers"). The crawlers are those of crawler-user-agents
 * (https://github.com/monperrus/crawler-user-agents, MIT licence, by Martin Monperrus and its
 * contributors): a regular expression per crawler, example user agents and tags. A few local tables
 * below correct names and tags; everything else comes from the list.
 */
import list from "crawler-user-agents";

export type Category = "search" | "ai" | "seo" | "social" | "monitor" | "feed" | "other";

/** Shared between calls: read only. */
export interface Crawler {
  readonly name: string;
  readonly category: Category;
}

/** One entry of the list, with the fields its bundled ES module types leave out. */
interface ListEntry {
  pattern: string;
  instances: string[];
  tags?: string[];
  depends_on?: string[];
}

export const OTHER_BOT: Crawler = { name: "(other bot)", category: "other" };

/**
 * The list's tags that have a category, in order of precedence: an entry with several tags takes
 * the first found here. `ai` comes first because an AI company's search or preview bot (OAI-SearchBot,
 * PerplexityBot, meta-externalagent) feeds an AI product, which is what a site owner asks about.
 * Every other tag (advertising, http-library, archiver, scanner, academic, browser-automation) is
 * `other`.
 */
const CATEGORY_OF_TAG: ReadonlyArray<[string, Category]> = [
  ["ai-crawler", "ai"],
  ["search-engine", "search"],
  ["social-preview", "social"],
  ["feed-reader", "feed"],
  ["monitoring", "monitor"],
  ["seo", "seo"],
];

/** Tags of tools bots are built with: when anything else matches too, that is the crawler. */
const TOOL_TAGS: ReadonlySet<string> = new Set(["http-library", "browser-automation"]);

/**
 * AI crawlers the list tags otherwise (by the entry's pattern): Amazon's crawler also feeds its
 * assistants, Diffbot's its knowledge graph for AI, YouBot You.com's AI search.
 */
const AI_PATTERNS: ReadonlySet<string> = new Set(["Amazonbot", "Diffbot\\/", "YouBot"]);

/**
 * Names, by pattern, where the one derived from the list reads badly: the first example is spelt
 * unlike the bot's usual user agent, the pattern has no single token, or the token is a URL.
 */
const NAMES: Readonly<Record<string, string>> = {
  "[cC]laude[bB]ot": "ClaudeBot",
  inoreader: "Inoreader",
  "[wW]get": "Wget",
  "Ahrefs(Bot|SiteAudit)": "AhrefsBot",
  "Spider[\\s\\S]*spider\\.com": "Spider",
  "ContextualBot[\\s\\S]*outcomes\\.net": "ContextualBot",
  "developers\\.google\\.com\\/\\+\\/web\\/snippet": "Google Snippet",
  "https:\\/\\/developers\\.cloudflare\\.com\\/security-center\\/": "Cloudflare Security Center",
  "Mediapartners \\(Googlebot\\)": "Mediapartners-Google",
  "yandex\\.com\\/bots": "Yandex",
  "pinterest\\.com\\/bot": "Pinterestbot",
  "www\\.uptime\\.com": "Uptime.com",
  // Two crawlers called Owler: OpenWebSearch.eu's search crawler and Owler Inc's (`;Owler`).
  "Owler \\(ows\\.eu": "OWLer (ows.eu)",
};

/**
 * Crawlers the list lacks, by the token they write (compared without case). The AI agents sites ask
 * about are all in 1.60.0 (Google-Extended and Applebot-Extended are robots.txt tokens, never user
 * agents); these are feed readers that fetch feeds from their users' devices.
 */
const EXTRA: ReadonlyArray<Crawler> = [
  { name: "NetNewsWire", category: "feed" },
  { name: "Newsboat", category: "feed" },
];

interface Matcher {
  crawler: Crawler;
  /** The pattern, which other entries' `depends_on` names. */
  pattern: string;
  tool: boolean;
  dependsOn: readonly string[];
  /** For a pattern that is plain text: that text in lower case, looked up through the index. */
  literal?: string;
  /** For any other pattern: the expression, tried on every user agent. */
  regex?: RegExp;
  order: number;
}

interface Hit {
  matcher: Matcher;
  start: number;
  length: number;
}

/** Matchers of plain-text patterns by the first KEY characters of their text, in lower case. */
const KEY = 3;

class CrawlerIndex {
  readonly crawlers: Crawler[] = [];
  private readonly byKey = new Map<string, Matcher[]>();
  private readonly others: Matcher[] = [];

  constructor(entries: readonly ListEntry[]) {
    let order = 0;
    for (const entry of entries) this.add(matcherOf(entry, order++));
    for (const crawler of EXTRA)
      this.add({
        crawler,
        pattern: crawler.name,
        tool: false,
        dependsOn: [],
        order: order++,
        literal: crawler.name.toLowerCase(),
      });
  }

  private add(matcher: Matcher): void {
    this.crawlers.push(matcher.crawler);
    const { literal } = matcher;
    if (literal === undefined || literal.length < KEY) {
      matcher.regex ??= new RegExp(matcher.pattern, "i");
      this.others.push(matcher);
      return;
    }
    const key = literal.slice(0, KEY);
    const bucket = this.byKey.get(key);
    if (bucket) bucket.push(matcher);
    else this.byKey.set(key, [matcher]);
  }

  /** Every entry that matches, each at its first match. */
  hits(userAgent: string): Hit[] {
    const lower = userAgent.toLowerCase();
    const found: Hit[] = [];
    const seen = new Set<Matcher>();
    for (let i = 0; i + KEY <= lower.length; i++) {
      const bucket = this.byKey.get(lower.slice(i, i + KEY));
      if (bucket === undefined) continue;
      for (const matcher of bucket) {
        const literal = matcher.literal as string;
        if (!seen.has(matcher) && lower.startsWith(literal, i)) {
          seen.add(matcher);
          found.push({ matcher, start: i, length: literal.length });
        }
      }
    }
    for (const matcher of this.others) {
      const match = (matcher.regex as RegExp).exec(userAgent);
      if (match) found.push({ matcher, start: match.index, length: match[0].length });
    }
    return found;
  }
}

/**
 * A pattern is plain text when, with its escaped punctuation (`\/`, `\.`) read as the characters,
 * it has no other regular-expression syntax: then a case-blind substring test is the same test.
 */
function plainText(pattern: string): string | undefined {
  const text = pattern.replace(/\\([^A-Za-z0-9])/g, "$1");
  const unescaped = pattern.replace(/\\[^A-Za-z0-9]/g, "");
  return /[\\^$.*+?()[\]{}|]/.test(unescaped) ? undefined : text;
}

function matcherOf(entry: ListEntry, order: number): Matcher {
  const tags = entry.tags ?? [];
  const literal = plainText(entry.pattern)?.toLowerCase();
  const regex = literal === undefined ? new RegExp(entry.pattern, "i") : undefined;
  return {
    crawler: {
      name: NAMES[entry.pattern] ?? nameOf(entry, literal, regex),
      category: categoryOfEntry(entry.pattern, tags),
    },
    pattern: entry.pattern,
    tool: tags.length > 0 && tags.every((tag) => TOOL_TAGS.has(tag)),
    dependsOn: entry.depends_on ?? [],
    literal,
    regex,
    order,
  };
}

function categoryOfEntry(pattern: string, tags: readonly string[]): Category {
  if (AI_PATTERNS.has(pattern)) return "ai";
  for (const [tag, category] of CATEGORY_OF_TAG) if (tags.includes(tag)) return category;
  return "other";
}

/**
 * The name: the text the pattern matches in the first of the list's example user agents it matches
 * (so in the case the bot writes it: `S[eE][mM]rushBot` is `SemrushBot`), or the pattern's own text
 * when it has no example; then up to a `/` (a version or a URL follows) or ` (`, without punctuation
 * or spaces at either end: `Googlebot\/` is `Googlebot`, `(^| )sentry\/` is `sentry`, `Odin;` is
 * `Odin`.
 */
function nameOf(entry: ListEntry, literal: string | undefined, regex: RegExp | undefined): string {
  let text = exampleText(entry, literal, regex) ?? entry.pattern.replace(/\\(.)/g, "$1");
  const end = text.search(/.\/| \(/);
  if (end !== -1) text = text.slice(0, end + 1);
  return text.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
}

function exampleText(
  entry: ListEntry,
  literal: string | undefined,
  regex: RegExp | undefined,
): string | undefined {
  for (const instance of entry.instances) {
    if (literal !== undefined) {
      const at = instance.toLowerCase().indexOf(literal);
      if (at !== -1) return instance.slice(at, at + literal.length);
    } else {
      const match = regex?.exec(instance);
      if (match) return match[0];
    }
  }
  return undefined;
}

/**
 * Which of several matching entries names the crawler: not a tool (a library or a headless browser)
 * when anything else matches, not an entry that another matching one depends on (the list's
 * `depends_on`), then the match that starts first in the user agent, then the longest, then the
 * first in the list.
 */
function best(hits: Hit[]): Hit | undefined {
  let candidates = hits;
  if (candidates.some((hit) => !hit.matcher.tool)) candidates = candidates.filter((hit) => !hit.matcher.tool);
  const needed = new Set(candidates.flatMap((hit) => hit.matcher.dependsOn));
  if (needed.size > 0) candidates = candidates.filter((hit) => !needed.has(hit.matcher.pattern));
  let chosen: Hit | undefined;
  for (const hit of candidates)
    if (
      chosen === undefined ||
      hit.start < chosen.start ||
      (hit.start === chosen.start &&
        (hit.length > chosen.length ||
          (hit.length === chosen.length && hit.matcher.order < chosen.matcher.order)))
    )
      chosen = hit;
  return chosen;
}

let built: CrawlerIndex | undefined;

function index(): CrawlerIndex {
  built ??= new CrawlerIndex(list as readonly ListEntry[]);
  return built;
}

/**
 * The crawler a user agent already known to be a bot's names, or `(other bot)` (category `other`).
 * Patterns are compared without case, so a bot that changes its capitals (`Inoreader/1.0`, the
 * list's `inoreader`) is still found; the list admits no two patterns that differ only in case.
 * The index is built on the first call (some tens of milliseconds); a call then costs microseconds:
 * a map lookup per position of the user agent, and the few dozen patterns that are not plain text.
 */
export function crawlerOf(userAgent: string): Crawler {
  return best(index().hits(userAgent))?.matcher.crawler ?? OTHER_BOT;
}

/** The category of a crawler `crawlerOf` named (a name has one), `other` for a name it does not know. */
export function categoryOf(name: string): Category {
  categories ??= new Map(knownCrawlers().map((crawler) => [crawler.name, crawler.category]));
  return categories.get(name) ?? "other";
}
let categories: Map<string, Category> | undefined;

/** Every crawler `crawlerOf` can name, one per pattern of the list and local entry (names repeat). */
export function knownCrawlers(): readonly Crawler[] {
  return index().crawlers;
}
