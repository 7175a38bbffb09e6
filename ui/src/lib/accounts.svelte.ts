// The accounts' sync statuses: read from the backend, kept current by `account_status` events,
// and the operator's "sync now" per account.
import type { AccountStatus } from "../bindings/AccountStatus";
import type { ProviderKind } from "../bindings/ProviderKind";
import { api as defaultApi, toApiError, type Api } from "./api";
import { connection } from "./connection.svelte";
import { clearErrors, reportError } from "./errors.svelte";
import { t } from "./i18n";
import type { UiError } from "./ui-error";

/** The providers of the accounts, each once, in the accounts' order. */
export function providersOf(list: readonly AccountStatus[] | null): ProviderKind[] {
  const out: ProviderKind[] = [];
  for (const a of list ?? []) if (!out.includes(a.provider)) out.push(a.provider);
  return out;
}

/** Replaces the account's status in place, or adds it. */
export function upsertStatus(list: AccountStatus[], s: AccountStatus): void {
  const i = list.findIndex((a) => a.account === s.account);
  if (i >= 0) list[i] = s;
  else list.push(s);
}

/**
 * Whether "sync now" can do anything for the account: it must offer a call log. An account
 * whose client is not built yet (a secret missing) offers nothing known, so it may be tried.
 */
export function canSync(s: AccountStatus): boolean {
  if (s.state === "unsupported") return false;
  const c = s.capabilities;
  return !c || c.call_log || (!c.recordings && s.state === "error");
}

export class Accounts {
  /** null until first read. */
  list = $state<AccountStatus[] | null>(null);
  /** Account id → name, for the table. */
  names = $derived(Object.fromEntries((this.list ?? []).map((a) => [a.account, a.name])));
  providers = $derived(providersOf(this.list));
  /** Accounts whose "sync now" is under way. */
  syncing = $state<Record<string, boolean>>({});
  /** Why the last "sync now" of an account failed; cleared by its next one. */
  syncErrors = $state<Record<string, UiError>>({});

  readonly #api: Pick<Api, "accountStatuses" | "syncNow">;
  #loading = false;
  /** A re-read was asked for while one was in flight, which may predate the reason. */
  #again = false;
  /** Statuses that arrived while the list was being read: applied on top, in order. */
  #pending: AccountStatus[] = [];

  constructor(a: Pick<Api, "accountStatuses" | "syncNow"> = defaultApi) {
    this.#api = a;
  }

  get loading(): boolean {
    return this.#loading;
  }

  async load(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return;
    }
    this.#loading = true;
    this.#pending = [];
    try {
      const list = await this.#api.accountStatuses();
      // Events are delivered in order, so replaying those that came during the read ends at
      // the newest status whether the read answered before or after them.
      for (const s of this.#pending) upsertStatus(list, s);
      this.list = list;
      connection.updated();
      clearErrors(t("error.loadAccounts"));
    } catch (e) {
      reportError(t("error.loadAccounts"), e);
    } finally {
      this.#loading = false;
      this.#pending = [];
      if (this.#again) {
        this.#again = false;
        void this.load();
      }
    }
  }

  /**
   * A status pushed by the backend (or answered by "sync now"). Before the first read there is
   * no list to put it in: then the list is read, if `mayLoad`.
   */
  received(s: AccountStatus, mayLoad = true): void {
    if (this.#loading) this.#pending.push(s);
    if (this.list) upsertStatus(this.list, s);
    else if (!this.#loading && mayLoad) void this.load();
  }

  /** Runs a sync pass of the account now; its failure is kept for the accounts panel to show. */
  async syncNow(account: string): Promise<void> {
    if (this.syncing[account]) return;
    this.syncing[account] = true;
    delete this.syncErrors[account];
    try {
      this.received(await this.#api.syncNow(account), false);
      connection.updated();
    } catch (e) {
      this.syncErrors[account] = toApiError(e);
    } finally {
      delete this.syncing[account];
    }
  }
}

/** The app's accounts, read through the transport chosen at start-up. */
export const accounts = new Accounts();
