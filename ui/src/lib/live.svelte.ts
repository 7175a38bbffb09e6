// The live board: calls from their first event to a while after their end, read from the
// backend and kept current by `live_call` events (one per change of a call).
import type { DemoCall } from "../bindings/DemoCall";
import type { LiveCall } from "../bindings/LiveCall";
import type { ProviderKind } from "../bindings/ProviderKind";
import { api as defaultApi, toApiError, type Api } from "./api";
import { connection } from "./connection.svelte";
import { clearErrors, reportError } from "./errors.svelte";
import { t } from "./i18n";
import type { UiError } from "./ui-error";

/** How long an ended call stays on the board (the backend keeps it as long). */
export const ENDED_KEPT_MS = 15 * 60_000;
/** Most ended calls kept, newest first (as the backend). */
export const ENDED_MAX = 200;

/** The providers whose simulators place calls on request (demo mode). */
export const DEMO_PROVIDERS: ProviderKind[] = ["mtt", "beeline", "sprecord"];

/**
 * The provider's key of a call. An ended call's key carries its start (`mtt:abc@1700000000000`)
 * so that the next call on the same provider key (an SpRecord channel) is another row.
 */
export function keyBase(key: string): string {
  const at = key.lastIndexOf("@");
  return at > 0 && /^\d+$/.test(key.slice(at + 1)) ? key.slice(0, at) : key;
}

const time = (iso: string | null): number => {
  const v = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(v) ? 0 : v;
};

/** The board's order: open calls newest first, then ended ones, the latest to end first. */
export function compareLive(a: LiveCall, b: LiveCall): number {
  const aOpen = a.state !== "ended";
  const bOpen = b.state !== "ended";
  if (aOpen !== bOpen) return aOpen ? -1 : 1;
  const d = aOpen ? time(b.started_at) - time(a.started_at) : time(b.ended_at) - time(a.ended_at);
  return d !== 0 ? d : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * The board with `call` in it: it replaces the row of the same key, and once ended (its key
 * then carries its start) the open row it was. Returns a new, ordered list.
 */
export function upsertLive(list: readonly LiveCall[], call: LiveCall): LiveCall[] {
  const base = call.state === "ended" ? keyBase(call.key) : null;
  const out = list.filter(
    (c) => c.key !== call.key && !(base !== null && c.state !== "ended" && c.account === call.account && c.key === base),
  );
  out.push(call);
  out.sort(compareLive);
  return out;
}

/** The board without ended calls older than `ENDED_KEPT_MS` at `now` (and past `ENDED_MAX`). */
export function pruneLive(list: readonly LiveCall[], now: number): LiveCall[] {
  let ended = 0;
  const out = list.filter((c) => {
    if (c.state !== "ended") return true;
    ended++;
    return ended <= ENDED_MAX && now - time(c.ended_at ?? c.started_at) < ENDED_KEPT_MS;
  });
  return out.length === list.length ? (list as LiveCall[]) : out;
}

/** Seconds from `from` to `now` (never negative). */
export function secondsSince(from: string | null, now: number): number {
  const at = time(from);
  return at === 0 ? 0 : Math.max(0, Math.floor((now - at) / 1000));
}

export type LiveApi = Pick<Api, "liveCalls" | "demoCall">;

export class LiveBoard {
  /** Open calls first; null until first read. */
  calls = $state.raw<LiveCall[] | null>(null);
  /** How many calls are ringing or talking. */
  open = $derived((this.calls ?? []).filter((c) => c.state !== "ended").length);
  /** A simulated call being placed (demo mode). */
  placing = $state(false);
  /** The caller of the last simulated call placed, to find it on the board. */
  placedCaller = $state<string | null>(null);
  placeError = $state<UiError | null>(null);

  readonly #api: LiveApi;
  readonly #now: () => number;
  #loading = false;
  #again = false;
  /** Calls that changed while the board was being read: applied on top, in order. */
  #pending: LiveCall[] = [];

  constructor(a: LiveApi = defaultApi, now: () => number = Date.now) {
    this.#api = a;
    this.#now = now;
  }

  async load(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return;
    }
    this.#loading = true;
    this.#pending = [];
    try {
      let list = [...(await this.#api.liveCalls())].sort(compareLive);
      // Events come in order: replaying those heard during the read ends at the newest state.
      for (const c of this.#pending) list = upsertLive(list, c);
      this.calls = pruneLive(list, this.#now());
      connection.updated();
      clearErrors(t("error.loadLive"));
    } catch (e) {
      reportError(t("error.loadLive"), e);
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
   * A call changed (a `live_call` event). Before the first read it waits for that read.
   * Returns true when the call has just landed in the history (it carries a history row it
   * did not carry before): the history's first page is then out of date.
   */
  received(call: LiveCall): boolean {
    if (this.#loading) this.#pending.push(call);
    if (!this.calls) return false;
    const before = this.calls.find((c) => c.key === call.key);
    this.calls = pruneLive(upsertLive(this.calls, call), this.#now());
    return call.history_id !== null && before?.history_id !== call.history_id;
  }

  /** Drops the ended calls that aged out (called now and then by the panel's clock). */
  prune(): void {
    if (this.calls) this.calls = pruneLive(this.calls, this.#now());
  }

  /** Places a simulated call (demo mode); its caller is kept to find its row. */
  async simulate(provider: ProviderKind, answered: boolean): Promise<string | null> {
    if (this.placing) return null;
    this.placing = true;
    this.placeError = null;
    const call: DemoCall = { provider, caller: null, answered, ring_secs: null, talk_secs: null };
    try {
      const placed = await this.#api.demoCall(call);
      this.placedCaller = placed.caller;
      return placed.caller;
    } catch (e) {
      this.placeError = toApiError(e);
      return null;
    } finally {
      this.placing = false;
    }
  }
}

/** The app's live board, read through the transport chosen at start-up. */
export const live = new LiveBoard();
