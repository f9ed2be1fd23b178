import { readSiteSettings, type SiteSettings } from "../store/meta.js";
import type { Store } from "../store/store.js";

/** How long a site's settings are kept in memory: they change rarely, its time zone never after its first ingest. */
const KEEP_MS = 60_000;
const kept = new Map<string, { until: number; settings: Promise<SiteSettings> }>();

/**
 * The site's settings (time zone for visitor days, own hosts), as `GET /site` answers them and as
 * queries default to them, read at most once a minute per site.
 */
export function siteSettings(store: Store, site: string): Promise<SiteSettings> {
  const key = `${store.table}\u0000${site}`;
  const now = Date.now();
  const hit = kept.get(key);
  if (hit && hit.until > now) return hit.settings;
  const settings = readSiteSettings(store, site).then(({ timeZone, ownHosts }) => ({ timeZone, ownHosts }));
  kept.set(key, { until: now + KEEP_MS, settings });
  settings.catch(() => kept.delete(key));
  return settings;
}

/** Forgets what was read of a site's settings (after they change). */
export function forgetSiteSettings(): void {
  kept.clear();
}
