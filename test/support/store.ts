import { openEmbedded } from "../../src/cli/connect.js";
import type { EmbeddedEngine } from "../../src/store/engine.js";
import { SiteTable } from "../../src/store/site-table.js";
import type { Store } from "../../src/store/store.js";
import { FaultProxy } from "./fault-proxy.js";

/** An embedded engine of the test's own, in a data directory, with a store on it, and its address. */
export async function startEngine(
  dataDir: string,
): Promise<{ engine: EmbeddedEngine; endpoint: string; store: Store }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const { engine, store } = await openEmbedded(dataDir);
  return { engine, endpoint: await engine.endpoint(), store };
}

/** How many raw view items a page's partition holds: the original tracker's `--select COUNT`. */
export async function countViews(store: Store, site: string, page: string): Promise<number> {
  return (await new SiteTable(store, site).countRawViews(page)).count;
}

/** An engine of the test's own behind a fault-injecting proxy (which passes everything at first). */
export async function startProxiedEngine(dataDir: string) {
  const { engine, store } = await startEngine(dataDir);
  const proxy = new FaultProxy(await engine.endpoint(), () => "pass");
  const endpoint = await proxy.start();
  return {
    engine,
    store,
    proxy,
    endpoint,
    async stop() {
      await proxy.stop();
      store.destroy();
      await engine.close();
    },
  };
}
