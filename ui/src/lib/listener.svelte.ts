// The webhook listener as the accounts panel shows it: each account's URLs to enter in its
// provider's settings, and the requests the listener refused, newest first, paged back.
import type { AccountHooks } from "../bindings/AccountHooks";
import type { RefusedRequest } from "../bindings/RefusedRequest";
import { api as defaultApi, toApiError, type Api } from "./api";
import type { UiError } from "./ui-error";

export const REFUSED_PAGE = 50;

export class ListenerStore {
  /** null until first read. */
  hooks = $state.raw<AccountHooks[] | null>(null);
  hooksError = $state<UiError | null>(null);

  /** Newest first, as far back as paged. */
  refused = $state.raw<RefusedRequest[] | null>(null);
  refusedError = $state<UiError | null>(null);
  /** The last page was full: there may be older ones. */
  hasOlder = $state(false);
  loadingRefused = $state(false);

  readonly #api: Pick<Api, "webhooks" | "refusedRequests">;
  readonly #page: number;
  #generation = 0;

  constructor(a: Pick<Api, "webhooks" | "refusedRequests"> = defaultApi, page = REFUSED_PAGE) {
    this.#api = a;
    this.#page = page;
  }

  /** The URLs of one account (none without a listener, or for an account it does not serve). */
  urlsOf(account: string): AccountHooks["urls"] {
    return this.hooks?.find((h) => h.account === account)?.urls ?? [];
  }

  async loadHooks(): Promise<void> {
    try {
      this.hooks = await this.#api.webhooks();
      this.hooksError = null;
    } catch (e) {
      this.hooksError = toApiError(e);
    }
  }

  /** Reads the newest page again, dropping older pages and any page still in flight. */
  async loadRefused(): Promise<void> {
    const gen = ++this.#generation;
    this.loadingRefused = true;
    try {
      const page = await this.#api.refusedRequests({ limit: this.#page });
      if (gen !== this.#generation) return;
      this.refused = page;
      this.hasOlder = page.length === this.#page;
      this.refusedError = null;
    } catch (e) {
      if (gen !== this.#generation) return;
      this.refusedError = toApiError(e);
    } finally {
      if (gen === this.#generation) this.loadingRefused = false;
    }
  }

  /** Appends the page before the oldest request shown. */
  async loadOlder(): Promise<void> {
    const list = this.refused;
    if (!list || list.length === 0 || !this.hasOlder || this.loadingRefused) return;
    const gen = this.#generation;
    this.loadingRefused = true;
    try {
      const page = await this.#api.refusedRequests({ limit: this.#page, before: list[list.length - 1].id });
      if (gen !== this.#generation) return;
      // A local lookup, never rendered: nothing to make reactive.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      const known = new Set(list.map((r) => r.id));
      this.refused = list.concat(page.filter((r) => !known.has(r.id)));
      this.hasOlder = page.length === this.#page;
      this.refusedError = null;
    } catch (e) {
      if (gen !== this.#generation) return;
      this.refusedError = toApiError(e);
    } finally {
      if (gen === this.#generation) this.loadingRefused = false;
    }
  }
}

/** The app's listener view, read through the transport chosen at start-up. */
export const listener = new ListenerStore();
