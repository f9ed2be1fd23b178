/**
 * The user agent CloudFront sends with the requests it makes to its origin (an S3 bucket, a web
 * server) when the distribution does not pass the reader's on. Its requests in the origin's logs are
 * CloudFront filling its cache, not readers: one fetch stands for any number of views, which only
 * CloudFront's own logs record. Other CDNs (Cloudflare, Fastly, Akamai, Bunny, CDN77) pass the
 * reader's user agent on to the origin, so their fetches cannot be told from it.
 */
export const CLOUDFRONT_AGENT = "Amazon CloudFront";

/** Whether a (decoded) user agent is CloudFront's own: a fetch from the origin. */
export function isCdnFetch(userAgent: string): boolean {
  return userAgent.length === CLOUDFRONT_AGENT.length && userAgent.toLowerCase() === "amazon cloudfront";
}

/** What a run counted, as far as the hint goes. */
export interface CdnCounts {
  /** Page views counted (bots among them only when bots are included). */
  views: number;
  /** Page requests of bots, CDN fetches among them. */
  bots: number;
  /** Page requests that were a CDN's fetches from its origin. */
  cdnFetches: number;
}

/**
 * A hint for logs of a site's origin behind CloudFront: when most page requests are CloudFront's
 * fetches, the counts are of its cache misses, not of readers. Undefined otherwise.
 */
export function cdnHint(counts: CdnCounts, includesBots: boolean): string | undefined {
  const pageRequests = includesBots ? counts.views : counts.views + counts.bots;
  if (counts.cdnFetches === 0 || counts.cdnFetches * 2 <= pageRequests) return undefined;
  const share = `${counts.cdnFetches.toLocaleString("en-US")} of ${pageRequests.toLocaleString("en-US")}`;
  return (
    `most page requests (${share}) came from "${CLOUDFRONT_AGENT}": they are CloudFront fetching pages ` +
    "from its origin to fill its cache, not readers (one fetch serves any number of views). Count " +
    "CloudFront's own logs instead: the distribution's standard logging (its Logging settings name the " +
    "bucket they go to)."
  );
}
