import type { VisitList } from "../contract/answers.js";
import type { Store } from "../store/store.js";
import { readViewList } from "../store/views.js";

export interface VisitQuery {
  page: string;
  from: number;
  to: number;
  /** Where the previous answer stopped (its `cursor`). */
  cursor?: string;
  limit: number;
}

/** The views of one page in time order, a page of them at a time: the original tracker's list. */
export async function visitList(store: Store, site: string, q: VisitQuery): Promise<VisitList> {
  return { page: q.page, ...(await readViewList(store, site, q)) };
}
