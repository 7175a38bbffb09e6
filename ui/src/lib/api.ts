// The backend API, spoken over Tauri IPC in the desktop app or over HTTP when
// `callboard-server` serves the UI. Every method rejects with a `UiError`.
//
// The request/response operations come from `operations.generated.ts`, generated from the
// backend's operation table: each transport says once how it sends any operation, never
// per method. Streams and files (events, recording audio and downloads, the CSV export)
// do not fit that table and are written out here for each transport.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { CallQuery } from "../bindings/CallQuery";
import type { ApiError } from "../bindings/ApiError";
import type { Event } from "../bindings/Event";
import { OPERATIONS, type OperationSpec, type Operations } from "./operations.generated";
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

/** What a save (a download or a native save dialog) came to. */
export type SaveOutcome = "saved" | "cancelled";

export interface Api extends Operations {
  /** A URL an `<audio>` element can play (and seek in, via HTTP Range). */
  recordingSrc(id: number, index: number): Promise<string>;
  /** Saves one part under `fileName` (the browser's download, or a native save dialog). */
  downloadRecording(id: number, index: number, fileName: string): Promise<SaveOutcome>;
  /** Saves every call matching `q`'s filters (all pages) as CSV for Excel under `fileName`. */
  exportCalls(q: CallQuery, fileName: string): Promise<SaveOutcome>;
  /** Subscribes to live events until `close()`; a lost stream is re-established with a back-off. */
  subscribe(h: StreamHandlers): Subscription;
}

/** Sends one call of a table operation, its arguments in the table's order. */
export type Send = (spec: OperationSpec, args: readonly unknown[]) => Promise<unknown>;

/** Every table operation as a method that hands its spec and arguments to `send`. */
export function bindOperations(send: Send): Operations {
  const ops: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, spec] of Object.entries(OPERATIONS)) ops[name] = (...args) => send(spec, args);
  return ops as unknown as Operations;
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

/** An object's fields as query parameters, in their order, absent and empty ones omitted. */
export function queryParams(q: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** One operation call as an HTTP request: the path under the API's base, and its init. */
export function httpRequest(spec: OperationSpec, args: readonly unknown[]): { path: string; init: RequestInit } {
  let path = spec.path;
  let query = "";
  const headers: Record<string, string> = { Accept: "application/json" };
  const init: RequestInit = { method: spec.method, headers };
  spec.args.forEach((a, i) => {
    const v = args[i];
    if (a.in === "path") path = path.replace(`{${a.name}}`, encodeURIComponent(String(v)));
    else if (a.in === "query") query = queryParams((v ?? {}) as object);
    else {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(v);
    }
  });
  return { path: path + query, init };
}

/** One operation call as a Tauri command's arguments, by name. */
export function commandArgs(spec: OperationSpec, args: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(spec.args.map((a, i) => [a.name, args[i]]));
}

/** Starts a same-origin download of `href` under `fileName` (the browser honours `download`). */
function download(href: string, fileName: string): SaveOutcome {
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
  return "saved";
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

/** Events the server may send under their own SSE name rather than as plain messages. */
const NAMED_EVENTS = ["calls_synced", "account_status", "heartbeat"];

class HttpApi {
  constructor(private readonly base = "/api") {}

  async send(spec: OperationSpec, args: readonly unknown[]): Promise<unknown> {
    const { path, init } = httpRequest(spec, args);
    let res: Response;
    try {
      res = await fetch(this.base + path, init);
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
    return body;
  }

  recordingSrc(id: number, index: number): Promise<string> {
    return Promise.resolve(`${this.base}/calls/${encodeURIComponent(id)}/recording/${encodeURIComponent(index)}`);
  }

  async downloadRecording(id: number, index: number, fileName: string): Promise<SaveOutcome> {
    return download(await this.recordingSrc(id, index), fileName);
  }

  exportCalls(q: CallQuery, fileName: string): Promise<SaveOutcome> {
    // The server streams every page; a page position or size would only confuse the URL.
    const { cursor: _cursor, limit: _limit, ...filters } = q;
    return Promise.resolve(download(`${this.base}/calls/export.csv${queryParams(filters)}`, fileName));
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

class TauriApi {
  send(spec: OperationSpec, args: readonly unknown[]): Promise<unknown> {
    return call(spec.command, commandArgs(spec, args));
  }

  recordingSrc(id: number, index: number): Promise<string> {
    // A loopback HTTP URL: WebKitGTK cannot play media from a custom URI scheme.
    return call<string>("recording_url", { id, index });
  }

  downloadRecording(id: number, index: number, fileName: string): Promise<SaveOutcome> {
    // A native save dialog pre-filled with `fileName`; the backend copies the cached audio.
    return call("save_recording", { id, index, fileName });
  }

  exportCalls(q: CallQuery, fileName: string): Promise<SaveOutcome> {
    // A native save dialog too; the backend writes the CSV as it reads the store.
    return call("export_calls", { query: q, fileName });
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

/** A transport's own methods with every table operation bound to its `send`. */
function assemble(transport: HttpApi | TauriApi): Api {
  return {
    ...bindOperations((spec, args) => transport.send(spec, args)),
    recordingSrc: (id, index) => transport.recordingSrc(id, index),
    downloadRecording: (id, index, fileName) => transport.downloadRecording(id, index, fileName),
    exportCalls: (q, fileName) => transport.exportCalls(q, fileName),
    subscribe: (h) => transport.subscribe(h),
  };
}

export function createApi(): Api {
  return assemble(isTauri() ? new TauriApi() : new HttpApi());
}

/** The transport chosen at start-up. */
export const api: Api = createApi();
