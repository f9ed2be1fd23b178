import { readSiteSettings, type SiteSettings } from "../store/meta.js";
import type { Store } from "../store/store.js";

/** How long a site's settings are kept in memory: they change rarely, its time zone never after its first ingest. */
const KEEP_MS = 60_000;
/** By store: two stores may name tables alike on different engines (two data directories). */
const kept = new WeakMap<Store, Map<string, { until: number; settings: Promise<SiteSettings> }>>();

/**
 * The site's settings (time zone for visitor days, own hosts), as `GET /site` answers them and as
 * queries default to them, read at most once a minute per site.
 */
export function siteSettings(store: Store, site: string): Promise<SiteSettings> {
  const sites = kept.get(store) ?? new Map();
  kept.set(store, sites);
  const now = Date.now();
  const hit = sites.get(site);
  if (hit && hit.until > now) return hit.settings;
  const settings = readSiteSettings(store, site).then(({ timeZone, ownHosts }) => ({ timeZone, ownHosts }));
  sites.set(site, { until: now + KEEP_MS, settings });
  settings.catch(() => sites.delete(site));
  return settings;
}

/** Forgets what was read of a store's site settings (after they change). */
export function forgetSiteSettings(store: Store): void {
  kept.delete(store);
}
