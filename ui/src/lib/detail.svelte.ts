// The call opened in the detail pane: its details as read from the backend, the latest open
// winning over answers still in flight for calls opened before it.
import type { CallDetail } from "../bindings/CallDetail";
import { api as defaultApi, toApiError, type Api } from "./api";
import type { UiError } from "./ui-error";

export class OpenedCall {
  id = $state<number | null>(null);
  detail = $state.raw<CallDetail | null>(null);
  loading = $state(false);
  error = $state<UiError | null>(null);

  readonly #api: Pick<Api, "getCall">;
  #generation = 0;

  constructor(a: Pick<Api, "getCall"> = defaultApi) {
    this.#api = a;
  }

  async open(id: number): Promise<void> {
    // Opening the open call again (Enter on it, a second click) must not restart its player.
    if (this.id === id && (this.detail || this.loading)) return;
    const gen = ++this.#generation;
    this.id = id;
    this.loading = true;
    this.error = null;
    try {
      const d = await this.#api.getCall(id);
      if (gen !== this.#generation) return;
      this.detail = d;
    } catch (e) {
      if (gen !== this.#generation) return;
      this.detail = null;
      this.error = toApiError(e);
    } finally {
      if (gen === this.#generation) this.loading = false;
    }
  }

  close(): void {
    this.#generation++;
    this.id = null;
    this.detail = null;
    this.error = null;
    this.loading = false;
  }
}
