// Missed, not called back: the numbers whose missed calls no answered call has followed,
// oldest first. The backend says when the queue's length changes (`missed_queue`); the queue
// is then read again (once, however many such events pile up during a read).
import type { MissedCaller } from "../bindings/MissedCaller";
import { api as defaultApi, type Api } from "./api";
import { connection } from "./connection.svelte";
import { clearErrors, reportError } from "./errors.svelte";
import { t } from "./i18n";

/** How many waiting numbers the panel lists (the backend's most; the count covers them all). */
export const MISSED_LIMIT = 1000;

export class MissedQueueStore {
  /** Oldest first; null until first read. */
  callers = $state.raw<MissedCaller[] | null>(null);
  /** How many numbers are waiting in all (the list may be cut at `MISSED_LIMIT`). */
  total = $state<number | null>(null);

  readonly #api: Pick<Api, "missedQueue">;
  readonly #limit: number;
  #loading = false;
  #again = false;

  constructor(a: Pick<Api, "missedQueue"> = defaultApi, limit = MISSED_LIMIT) {
    this.#api = a;
    this.#limit = limit;
  }

  get loading(): boolean {
    return this.#loading;
  }

  async load(): Promise<void> {
    if (this.#loading) {
      // The answer in flight may predate the reason for this read: read once more after it.
      this.#again = true;
      return;
    }
    this.#loading = true;
    try {
      const q = await this.#api.missedQueue({ limit: this.#limit });
      this.callers = q.callers;
      this.total = q.total;
      connection.updated();
      clearErrors(t("error.loadMissed"));
    } catch (e) {
      reportError(t("error.loadMissed"), e);
    } finally {
      this.#loading = false;
      if (this.#again) {
        this.#again = false;
        void this.load();
      }
    }
  }

  /** The backend's `missed_queue` event: the count is shown at once, the list re-read. */
  received(waiting: number): void {
    this.total = waiting;
    void this.load();
  }
}

/** The app's missed queue, read through the transport chosen at start-up. */
export const missed = new MissedQueueStore();
