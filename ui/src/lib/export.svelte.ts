// "Export CSV": every call the filters match, written by the backend (streamed), never just the
// rows loaded in the table.
import type { CallQuery } from "../bindings/CallQuery";
import { api as defaultApi, type Api } from "./api";
import { reportError } from "./errors.svelte";
import { exportFileName } from "./filename";
import { t } from "./i18n";

export class Exporter {
  /** An export is being asked for (the native dialog is open, or the request is on its way). */
  busy = $state(false);
  readonly #api: Pick<Api, "exportCalls">;

  constructor(a: Pick<Api, "exportCalls"> = defaultApi) {
    this.#api = a;
  }

  /** Exports the calls matching `q` (named after the local day of `now`, epoch ms); a failure is reported in a banner. */
  async run(q: CallQuery, now = Date.now()): Promise<"saved" | "cancelled" | "failed"> {
    if (this.busy) return "cancelled";
    this.busy = true;
    try {
      const { cursor: _cursor, limit: _limit, ...filters } = q;
      return await this.#api.exportCalls(filters, exportFileName(now));
    } catch (e) {
      reportError(t("error.export"), e);
      return "failed";
    } finally {
      this.busy = false;
    }
  }
}

export const exporter = new Exporter();
