import * as crypto from "node:crypto";
import type { Link } from "../aggregate/normalise.js";
import { notFoundSource } from "../pageview/server.js";
import type { PageView } from "../pageview/view.js";
import { localDate } from "../query/zone.js";
import { type Agent, agentOf, UNKNOWN } from "./agent.js";
import { IpCountry } from "./country.js";
import { campaignOf, family, normaliseHost, referrerHost } from "./referrer.js";

export interface AudienceOptions {
  /** Hosts of the site besides the one each request names (`--own-host`). */
  ownHosts?: string[];
  /** An IP-to-country database, for logs without a country field. */
  ipCountry?: IpCountry;
  /**
   * The key of visitor ids: the site's secret (store/meta.ts). Without it, a random key of this run:
   * the ids then never leave the process.
   */
  secret?: Buffer;
  /** The site's time zone, whose days visitors are counted in (IANA name; UTC when absent). */
  timeZone?: string;
}

/**
 * What another thread needs to describe readers as an Audience does (jobs/): the same visitor ids,
 * days and own hosts. Plain data, to be posted to it.
 */
export interface AudienceSettings {
  ownHosts: string[];
  /** The key of visitor ids, base64. */
  key: string;
  timeZone: string;
  /** The IP-to-country database's file. */
  ipCountry?: string;
}

/**
 * Who made a request counted by its distinct clients (a download, a feed fetch) or by where it was
 * linked from (a missing page). A page view's reader is one.
 */
export interface Client {
  /** The client's id on this day of the site: see Reader. */
  visitor: number;
  day: string;
  /** Of a missing page: where the link to it was. */
  link?: Link;
}

/** Who a page view's reader is, as docs/page-views.md's "The audience" defines it. */
export interface Reader extends Client {
  /** The view arrived from outside the site: no referrer, or another host's. */
  entry: boolean;
  /** Of an entry: utm_source, source or ref; else (direct), the referrer's family or host. */
  source: string;
  /** Of an entry: its utm_campaign. */
  campaign: string | undefined;
  browser: string;
  os: string;
  device: string;
  country: string;
  /**
   * Who the reader is on this day of the site: 48 bits of a keyed hash (SHA-256 after the site's
   * secret) of the day, the client IP and the user agent. Ids of different days cannot be linked,
   * and neither address nor agent can be recovered from one without the key.
   */
  visitor: number;
  /** The day of the site (in its time zone) the view is on: `2024-05-01`. */
  day: string;
}

/** SHA-256 in hex: Node's one-shot `crypto.hash` where there is one (20.12 and later), it is faster. */
const sha256: (text: string) => string = crypto.hash
  ? (text) => crypto.hash("sha256", text)
  : (text) => crypto.createHash("sha256").update(text).digest("hex");

// Values are kept as sort keys: very long ones are cut (DynamoDB allows 1 KB).
const MAX_VALUE = 200;
// Logs repeat a few user agents; bounded caches keep memory flat on odd inputs.
const CACHE_LIMIT = 20_000;

/** Describes readers: one per run, so that each distinct user agent is parsed once. */
export class Audience {
  private readonly ownHostSet: Set<string>;
  /** The secret as text, the start of every hashed visitor. */
  private readonly key: string;
  readonly timeZone: string;
  /** The last UTC day or quarter hour looked up (day()), and its day of the site. */
  private quarter = Number.NaN;
  private quarterDay = "";

  constructor(
    private readonly options: AudienceOptions = {},
    private readonly agents = new Map<string, Agent>(),
  ) {
    this.ownHostSet = new Set((options.ownHosts ?? []).map(normaliseHost));
    this.key = (options.secret ?? crypto.randomBytes(32)).toString("base64");
    this.timeZone = options.timeZone ?? "UTC";
  }

  /**
   * The same description for a site: visitor ids keyed by its secret, days in its time zone, its own
   * hosts added (the user agents parsed are kept).
   */
  forSite(site: { secret: Buffer; timeZone: string; ownHosts: string[] }): Audience {
    const ownHosts = [...new Set([...(this.options.ownHosts ?? []), ...site.ownHosts])];
    return new Audience({ ...this.options, ...site, ownHosts }, this.agents);
  }

  /** This description as plain data, for another thread (fromSettings). */
  get settings(): AudienceSettings {
    return {
      ownHosts: this.ownHosts,
      key: this.key,
      timeZone: this.timeZone,
      ipCountry: this.options.ipCountry?.path,
    };
  }

  static async fromSettings(settings: AudienceSettings): Promise<Audience> {
    return new Audience({
      ownHosts: settings.ownHosts,
      secret: Buffer.from(settings.key, "base64"),
      timeZone: settings.timeZone,
      ipCountry: settings.ipCountry === undefined ? undefined : await IpCountry.load(settings.ipCountry),
    });
  }

  /** The site's own hosts this description knows of (besides the host each request names). */
  get ownHosts(): string[] {
    return [...this.ownHostSet];
  }

  /** The day of the site an instant is on. */
  day(time: number): string {
    // Views come in time order, mostly: the last day (UTC) or quarter hour (every zone's offset is
    // whole quarter hours) looked up is nearly always the next one's too.
    if (this.timeZone === "UTC") {
      const day = Math.floor(time / 86400);
      if (day !== this.quarter) {
        this.quarter = day;
        this.quarterDay = new Date(day * 86400000).toISOString().slice(0, 10);
      }
      return this.quarterDay;
    }
    const quarter = Math.floor(time / 900);
    if (quarter !== this.quarter) {
      this.quarter = quarter;
      this.quarterDay = localDate(quarter * 900, this.timeZone);
    }
    return this.quarterDay;
  }

  /** Who to credit for the countries, when they come from an IP database. */
  get countryAttribution(): string | undefined {
    return this.options.ipCountry?.attribution;
  }

  describe(view: PageView): Reader {
    const host = view.referrer === "" ? undefined : referrerHost(view.referrer);
    const entry = host === undefined || !(this.ownHostSet.has(host) || this.requestHost(view.host) === host);
    const tagged = entry ? campaignOf(view.query) : {};
    const source =
      tagged.source ?? (view.referrer === "" ? "(direct)" : host ? (family(host) ?? host) : UNKNOWN);
    const agent = this.agent(view.userAgent);
    const day = this.day(view.time);
    return {
      entry,
      source: clip(source),
      campaign: tagged.campaign === undefined ? undefined : clip(tagged.campaign),
      browser: agent.browser,
      os: agent.os,
      device: agent.device,
      country: countryOf(view.country) ?? this.options.ipCountry?.lookup(view.clientIp) ?? UNKNOWN,
      visitor: this.visitor(view, day),
      day,
    };
  }

  /** Who made a request that is no page view (a missing page, a download, a feed fetch). */
  client(view: PageView): Client {
    const day = this.day(view.time);
    // A missing page is counted by where it was linked from, not by its clients: no id to hash.
    if (view.notFound) return { visitor: 0, day, link: this.linkOf(view) };
    return { visitor: this.visitor(view, day), day };
  }

  /** Where the link to a missing page was: the site's own hosts are those entries are told by. */
  private linkOf(view: PageView): Link {
    const link = notFoundSource(
      view.referrer,
      (host) => this.ownHostSet.has(host) || this.requestHost(view.host) === host,
    );
    return link;
  }

  /**
   * SHA-256 of the secret, the day, the IP and the agent, cut to 48 bits. A secret-prefix hash is a
   * keyed hash here: nobody sees a whole digest to extend, and it costs a ninth of an HMAC, which
   * `report` felt. 48 bits make a collision among a day's 5,000 exact ids a one in 20 million event.
   */
  private visitor(view: PageView, day: string): number {
    // A page view's own downloads and feed fetches follow it: the same client, no second hash.
    const last = this.lastVisitor;
    if (last.day === day && last.ip === view.clientIp && last.agent === view.userAgent) return last.id;
    const id = Number.parseInt(
      sha256(`${this.key}\n${day}\n${view.clientIp}\n${view.userAgent}`).slice(0, 12),
      16,
    );
    this.lastVisitor = { day, ip: view.clientIp, agent: view.userAgent, id };
    return id;
  }
  private lastVisitor = { day: "", ip: "", agent: "", id: 0 };

  /** The host a request was made to, normalised; the last one is kept (a log has one or a few). */
  private requestHost(host: string | undefined): string | undefined {
    if (host !== this.lastHost) {
      this.lastHost = host;
      this.lastHostNormalised = host === undefined ? undefined : normaliseHost(host);
    }
    return this.lastHostNormalised;
  }

  private lastHost: string | undefined;
  private lastHostNormalised: string | undefined;

  private agent(userAgent: string): Agent {
    let agent = this.agents.get(userAgent);
    if (agent === undefined) {
      agent = agentOf(userAgent);
      if (this.agents.size >= CACHE_LIMIT) this.agents.clear();
      this.agents.set(userAgent, agent);
    }
    return agent;
  }
}

function countryOf(logged: string | undefined): string | undefined {
  const code = logged?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? code : undefined;
}

function clip(value: string): string {
  return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE - 1)}…` : value;
}
