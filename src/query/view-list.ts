import type { ViewList } from "../contract/answers.js";
import { readViewList } from "../store/raw-views.js";
import type { Store } from "../store/store.js";

export interface ViewListQuery {
  page: string;
  from: number;
  to: number;
  /** Where the previous answer stopped (its `cursor`). */
  cursor?: string;
  limit: number;
}

/** The views of one page in time order, a page of them at a time: the original tracker's list. */
export async function viewList(store: Store, site: string, q: ViewListQuery): Promise<ViewList> {
  return { page: q.page, ...(await readViewList(store, site, q)) };
}
