// The backend API, spoken over Tauri IPC in the desktop app or over HTTP when
// `callboard-server` serves the UI. Every method rejects with a `UiError`.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AccountStatus } from "../bindings/AccountStatus";
import type { CallDetail } from "../bindings/CallDetail";
import type { CallPage } from "../bindings/CallPage";
import type { CallQuery } from "../bindings/CallQuery";
import type { RecordingPart } from "../bindings/RecordingPart";
import type { ApiError } from "../bindings/ApiError";
import type { AppInfo } from "../bindings/AppInfo";
import type { Event } from "../bindings/Event";
import type { TransportFailure, UiError } from "./ui-error";
import { t } from "./i18n";

const EVENT = "callboard://event";

export interface StreamHandlers {
  /** Every live event, heartbeats included. */
  onEvent(e: Event): void;
  /** The stream is (re)established: events sent before it may have been missed, so re-read. */
  onOpen(): void;
  /** The transport knows the stream is down; it keeps trying to re-establish it. */
  onDown(reason: string): void;
}

export interface Subscription {
  /** Tries again now instead of after the back-off (the window woke up, the network came back). */
  reconnect(): void;
  close(): void;
}

export interface Api {
  appInfo(): Promise<AppInfo>;
  listCalls(q: CallQuery): Promise<CallPage>;
  getCall(id: number): Promise<CallDetail>;
  /** May take a second: the backend fetches the recording from the provider on first use. */
  recordingParts(id: number): Promise<RecordingPart[]>;
  /** A URL an `<audio>` element can play (and seek in, via HTTP Range). */
  recordingSrc(id: number, index: number): Promise<string>;
  /** Saves one part under `fileName` (the browser's download, or a native save dialog). */
  downloadRecording(id: number, index: number, fileName: string): Promise<"saved" | "cancelled">;
  accountStatuses(): Promise<AccountStatus[]>;
  /** Runs one sync pass of the account now; answers its status after the pass. */
  syncNow(account: string): Promise<AccountStatus>;
  /**
   * Saves every call matching `q` (paging fields ignored) as CSV under `fileName`: the backend
   * writes the file, streamed, so the export is never limited to the rows loaded in the table.
   */
  exportCalls(q: CallQuery, fileName: string): Promise<"saved" | "cancelled">;
  /** Subscribes to live events until `close()`; a lost stream is re-established with a back-off. */
  subscribe(h: StreamHandlers): Subscription;
}

/** Waits between attempts to re-open the event stream; the last one repeats. */
export const RECONNECT_BACKOFF_MS = [1000, 2000, 5000, 10_000];

function backoff(attempt: number): number {
  return RECONNECT_BACKOFF_MS[Math.min(attempt, RECONNECT_BACKOFF_MS.length - 1)];
}

const ERROR_CODES = new Set(["not_found", "invalid_input", "provider", "network", "config", "internal"]);

export function isApiError(v: unknown): v is ApiError {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.code === "string" && ERROR_CODES.has(o.code) && typeof o.message === "string";
}

export function apiError(code: ApiError["code"], message: string, transport?: TransportFailure): UiError {
  return transport ? { code, message, provider: null, hint: null, transport } : { code, message, provider: null, hint: null };
}

/** Anything thrown, as an error the UI can describe (the backend's hint and the transport's view kept). */
export function toApiError(e: unknown, fallback: ApiError["code"] = "internal"): UiError {
  if (isApiError(e)) {
    const out: UiError = { code: e.code, message: e.message, provider: e.provider ?? null, hint: e.hint ?? null };
    const transport = (e as UiError).transport;
    if (transport) out.transport = transport;
    return out;
  }
  if (e instanceof Error) return apiError(fallback, e.message || String(e));
  if (typeof e === "string") return apiError(fallback, e);
  try {
    return apiError(fallback, JSON.stringify(e));
  } catch {
    return apiError(fallback, String(e));
  }
}

/** The backend could not be reached at all: the connection indicator says so, not a banner. */
export function isBackendUnreachable(e: UiError): boolean {
  return e.transport?.kind === "backend_unreachable";
}

const QUERY_KEYS = ["from", "to", "account", "provider", "direction", "outcome", "number", "cursor", "limit"] as const;
/** The filters alone: an export covers the whole filtered history, not one page of it. */
const FILTER_KEYS = QUERY_KEYS.filter((k) => k !== "cursor" && k !== "limit");

/** Query parameters in a fixed order, absent ones omitted; `filtersOnly` leaves out paging. */
export function callQueryParams(q: CallQuery, filtersOnly = false): string {
  const params = new URLSearchParams();
  for (const k of filtersOnly ? FILTER_KEYS : QUERY_KEYS) {
    const v = q[k];
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** Parses one server-sent message; anything but an object with a `type` is ignored. */
export function parseEvent(data: unknown): Event | null {
  try {
    const ev: unknown = JSON.parse(String(data));
    if (typeof ev === "object" && ev !== null && typeof (ev as { type?: unknown }).type === "string") return ev as Event;
  } catch {
    // a comment or garbage
  }
  return null;
}

// ---------------------------------------------------------------- HTTP

/** Saves a same-origin URL as a download; same origin, so the browser honours `download` as the file's name. */
function download(href: string, fileName: string): Promise<"saved"> {
  const a = document.createElement("a");
  a.href = href;
  a.download = fileName;
  a.style.display = "none";
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
  }
  return Promise.resolve("saved");
}

/** Events the server may send under their own SSE name rather than as plain messages. */
const NAMED_EVENTS = ["calls_synced", "account_status", "heartbeat"];

class HttpApi implements Api {
  constructor(private readonly base = "/api") {}

  private get<T>(path: string): Promise<T> {
    return this.request("GET", path);
  }

  private post<T>(path: string): Promise<T> {
    return this.request("POST", path);
  }

  private async request<T>(method: "GET" | "POST", path: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers: { Accept: "application/json" } });
    } catch (e) {
      const detail = e instanceof Error && e.message ? e.message : String(e);
      throw apiError("network", `${t("error.fetchFailed")} (${detail})`, { kind: "backend_unreachable", detail });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      const detail = e instanceof Error && e.message ? e.message : String(e);
      throw apiError("network", `${t("error.fetchFailed")} (${detail})`, { kind: "backend_unreachable", detail });
    }
    let body: unknown;
    let parsed = true;
    try {
      body = JSON.parse(text);
    } catch {
      parsed = false;
    }
    if (!res.ok) {
      if (parsed && isApiError(body)) throw toApiError(body);
      // Not our server's answer (a proxy, a login page): keep all of it for the details.
      const code = res.status === 404 ? "not_found" : res.status >= 500 ? "internal" : "invalid_input";
      const status = `${res.status} ${res.statusText}`.trim();
      throw apiError(code, t("error.http", { status }), { kind: "http_status", status: res.status, statusText: res.statusText, body: text });
    }
    if (!parsed) throw apiError("internal", t("error.badResponse"), { kind: "bad_response", status: res.status, body: text });
    return body as T;
  }

  appInfo(): Promise<AppInfo> {
    return this.get("/info");
  }

  listCalls(q: CallQuery): Promise<CallPage> {
    return this.get(`/calls${callQueryParams(q)}`);
  }

  getCall(id: number): Promise<CallDetail> {
    return this.get(`/calls/${encodeURIComponent(id)}`);
  }

  recordingParts(id: number): Promise<RecordingPart[]> {
    return this.get(`/calls/${encodeURIComponent(id)}/recording`);
  }

  recordingSrc(id: number, index: number): Promise<string> {
    return Promise.resolve(`${this.base}/calls/${encodeURIComponent(id)}/recording/${encodeURIComponent(index)}`);
  }

  async downloadRecording(id: number, index: number, fileName: string): Promise<"saved" | "cancelled"> {
    return download(await this.recordingSrc(id, index), fileName);
  }

  accountStatuses(): Promise<AccountStatus[]> {
    return this.get("/accounts");
  }

  syncNow(account: string): Promise<AccountStatus> {
    return this.post(`/accounts/${encodeURIComponent(account)}/sync`);
  }

  exportCalls(q: CallQuery, fileName: string): Promise<"saved" | "cancelled"> {
    // The browser streams the answer to disk: nothing of it is held in the page.
    return download(`${this.base}/calls/export.csv${callQueryParams(q, true)}`, fileName);
  }

  subscribe(h: StreamHandlers): Subscription {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    let closed = false;

    const onMessage = (msg: MessageEvent) => {
      const ev = parseEvent(msg.data);
      if (ev) h.onEvent(ev);
    };

    const open = () => {
      retry = null;
      if (closed) return;
      const es = new EventSource(`${this.base}/events`);
      source = es;
      // The server subscribes before it answers, so nothing sent after `open` is missed.
      es.onopen = () => {
        if (source !== es) return;
        attempt = 0;
        h.onOpen();
      };
      es.onmessage = onMessage;
      for (const name of NAMED_EVENTS) es.addEventListener(name, onMessage);
      es.onerror = () => {
        if (source !== es) return;
        // The browser retries a dropped connection by itself, but gives up for good after an
        // HTTP error or a wrong content type (a restarting server, a proxy's error page). Own
        // the retry in every case, with a back-off, so the page always comes back.
        es.close();
        source = null;
        h.onDown("event stream error");
        if (!closed && retry === null) retry = setTimeout(open, backoff(attempt++));
      };
    };

    open();
    return {
      reconnect: () => {
        // Only while waiting out the back-off: an attempt in progress is left to finish.
        if (closed || source !== null) return;
        if (retry !== null) clearTimeout(retry);
        open();
      },
      close: () => {
        closed = true;
        if (retry !== null) clearTimeout(retry);
        retry = null;
        source?.close();
        source = null;
      },
    };
  }
}

// ---------------------------------------------------------------- Tauri

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

class TauriApi implements Api {
  appInfo(): Promise<AppInfo> {
    return call("app_info");
  }

  listCalls(q: CallQuery): Promise<CallPage> {
    return call("list_calls", { query: q });
  }

  getCall(id: number): Promise<CallDetail> {
    return call("get_call", { id });
  }

  recordingParts(id: number): Promise<RecordingPart[]> {
    return call("recording_parts", { id });
  }

  recordingSrc(id: number, index: number): Promise<string> {
    // A loopback HTTP URL: WebKitGTK cannot play media from a custom URI scheme.
    return call<string>("recording_url", { id, index });
  }

  accountStatuses(): Promise<AccountStatus[]> {
    return call("account_statuses");
  }

  downloadRecording(id: number, index: number, fileName: string): Promise<"saved" | "cancelled"> {
    // A native save dialog pre-filled with `fileName`; the backend copies the cached audio.
    return call("save_recording", { id, index, fileName });
  }

  syncNow(account: string): Promise<AccountStatus> {
    return call("sync_now", { account });
  }

  exportCalls(q: CallQuery, fileName: string): Promise<"saved" | "cancelled"> {
    // A native save dialog pre-filled with `fileName`; the backend writes the file as it reads.
    const { cursor: _cursor, limit: _limit, ...query } = q;
    return call("export_calls", { query, fileName });
  }

  subscribe(h: StreamHandlers): Subscription {
    let unlisten: (() => void) | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    let closed = false;
    /** Bumped on every (re)attach, so callbacks of a replaced listener are ignored. */
    let generation = 0;

    const attach = () => {
      retry = null;
      if (closed) return;
      const gen = ++generation;
      unlisten?.();
      unlisten = null;
      // `listen` resolves once the backend has registered the listener: from then on no event is lost.
      listen<Event>(EVENT, (e) => {
        if (gen === generation) h.onEvent(e.payload);
      }).then(
        (u) => {
          if (closed || gen !== generation) {
            u();
            return;
          }
          unlisten = u;
          attempt = 0;
          h.onOpen();
        },
        (e: unknown) => {
          if (closed || gen !== generation) return;
          h.onDown(`cannot listen to events: ${String(e)}`);
          if (retry === null) retry = setTimeout(attach, backoff(attempt++));
        },
      );
    };

    attach();
    return {
      // Registering the listener again is cheap and heals a listener the window lost.
      reconnect: () => {
        if (closed) return;
        if (retry !== null) clearTimeout(retry);
        attach();
      },
      close: () => {
        closed = true;
        generation++;
        if (retry !== null) clearTimeout(retry);
        retry = null;
        unlisten?.();
        unlisten = null;
      },
    };
  }
}

export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export function createApi(): Api {
  return isTauri() ? new TauriApi() : new HttpApi();
}

/** The transport chosen at start-up. */
export const api: Api = createApi();
