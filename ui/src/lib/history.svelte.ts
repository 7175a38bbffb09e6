// The call history the table shows: the first page of a query, older pages as the operator
// scrolls, and fresh calls merged on top without losing what is loaded below or the place.
import type { Call } from "../bindings/Call";
import type { CallQuery } from "../bindings/CallQuery";
import { api as defaultApi, type Api } from "./api";
import { connection } from "./connection.svelte";
import { clearErrors, reportError } from "./errors.svelte";
import { t } from "./i18n";

export const PAGE_SIZE = 500;

export type LoadState = "loading" | "ready" | "error";

/** What the history asks of the window around it. */
export interface HistoryView {
  /** A new query's first page is shown. */
  scrollToTop(): void;
  /** `n` new calls were put above the rows under the operator's eye. */
  shiftRows(n: number): void;
  /** An update arrived while the first page was loading: that page may predate it. */
  refreshSoon(): void;
}

export class History {
  items = $state.raw<Call[]>([]);
  nextCursor = $state<string | null>(null);
  loadState = $state<LoadState>("loading");
  loadingMore = $state(false);
  /** The query the shown list answers (for paging and refreshes). */
  shownQuery = $state.raw<CallQuery>({});

  readonly #api: Pick<Api, "listCalls">;
  readonly #view: HistoryView;
  readonly #pageSize: number;
  #generation = 0;
  #staleWhileLoading = false;

  constructor(view: HistoryView, a: Pick<Api, "listCalls"> = defaultApi, pageSize = PAGE_SIZE) {
    this.#view = view;
    this.#api = a;
    this.#pageSize = pageSize;
  }

  /** Shows the first page of `q`, dropping whatever an older query still has in flight. */
  async loadFirst(q: CallQuery): Promise<void> {
    const gen = ++this.#generation;
    this.loadState = "loading";
    this.loadingMore = false;
    this.#staleWhileLoading = false;
    try {
      const page = await this.#api.listCalls({ ...q, limit: this.#pageSize });
      if (gen !== this.#generation) return;
      this.shownQuery = q;
      this.items = page.items;
      this.nextCursor = page.next_cursor;
      this.loadState = "ready";
      connection.updated();
      clearErrors(t("error.loadCalls"));
      this.#view.scrollToTop();
      if (this.#staleWhileLoading) this.#view.refreshSoon();
    } catch (e) {
      if (gen !== this.#generation) return;
      this.shownQuery = q;
      this.items = [];
      this.nextCursor = null;
      this.loadState = "error";
      reportError(t("error.loadCalls"), e);
    }
  }

  /** Appends the next (older) page. */
  async loadMore(): Promise<void> {
    if (!this.nextCursor || this.loadingMore || this.loadState !== "ready") return;
    const gen = this.#generation;
    const cursor = this.nextCursor;
    this.loadingMore = true;
    try {
      const page = await this.#api.listCalls({ ...this.shownQuery, cursor, limit: this.#pageSize });
      if (gen !== this.#generation) return;
      // A local lookup, never rendered: nothing to make reactive.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      const known = new Set(this.items.slice(-this.#pageSize).map((c) => c.id));
      this.items = this.items.concat(page.items.filter((c) => !known.has(c.id)));
      this.nextCursor = page.next_cursor;
    } catch (e) {
      if (gen !== this.#generation) return;
      reportError(t("error.loadCalls"), e);
      // Stop paging until the next query or refresh; the banner says why.
      this.nextCursor = null;
    } finally {
      if (gen === this.#generation) this.loadingMore = false;
    }
  }

  /**
   * Re-reads the first page and merges it on top, keeping what is loaded below and the
   * selection. `current` is the query the filters ask for now (the retry when nothing loaded).
   */
  async refreshTop(current: CallQuery): Promise<void> {
    if (this.loadState === "loading") {
      this.#staleWhileLoading = true;
      return;
    }
    if (this.loadState === "error") {
      // The first page never came (e.g. the backend was down): this is the retry.
      void this.loadFirst(current);
      return;
    }
    const gen = this.#generation;
    try {
      const page = await this.#api.listCalls({ ...this.shownQuery, limit: this.#pageSize });
      if (gen !== this.#generation || this.loadState !== "ready") return;
      const fresh = page.items;
      const items = this.items;
      const oldTop = items[0]?.id;
      let merged: Call[];
      if (fresh.length === 0) {
        merged = [];
        this.nextCursor = null;
      } else {
        const lastFresh = fresh[fresh.length - 1].id;
        const pos = items.findIndex((c) => c.id === lastFresh);
        if (pos >= 0) {
          merged = fresh.concat(items.slice(pos + 1));
        } else {
          // More new calls than a page (or the old list was shorter): start over from this page,
          // dropping any page still in flight for the old cursor.
          merged = fresh;
          this.nextCursor = page.next_cursor;
          this.#generation++;
          this.loadingMore = false;
        }
      }
      const newAbove = oldTop === undefined ? 0 : merged.findIndex((c) => c.id === oldTop);
      this.items = merged;
      connection.updated();
      clearErrors(t("error.loadCalls"));
      if (newAbove > 0) this.#view.shiftRows(newAbove);
    } catch (e) {
      reportError(t("error.loadCalls"), e);
    }
  }
}
