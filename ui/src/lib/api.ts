// The backend API, spoken over Tauri IPC in the desktop app or over HTTP when
// `callboard-server` serves the UI. Every method rejects with an `ApiError`.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AccountStatus } from "../bindings/AccountStatus";
import type { ApiError } from "../bindings/ApiError";
import type { AppInfo } from "../bindings/AppInfo";
import type { CallDetail } from "../bindings/CallDetail";
import type { CallPage } from "../bindings/CallPage";
import type { CallQuery } from "../bindings/CallQuery";
import type { Event } from "../bindings/Event";
import type { RecordingPart } from "../bindings/RecordingPart";
import { t } from "./i18n";

export interface Api {
  appInfo(): Promise<AppInfo>;
  listCalls(q: CallQuery): Promise<CallPage>;
  getCall(id: number): Promise<CallDetail>;
  /** May take a second: the backend fetches the recording from the provider on first use. */
  recordingParts(id: number): Promise<RecordingPart[]>;
  /** A URL an `<audio>` element can play (and seek in, via HTTP Range). */
  recordingSrc(id: number, index: number): Promise<string>;
  accountStatuses(): Promise<AccountStatus[]>;
  /**
   * Subscribes to live events; returns the unsubscribe function. `connected` runs each time
   * the subscription is (re)established: events sent before it may have been missed, so the
   * caller re-reads what it shows.
   */
  onEvent(cb: (e: Event) => void, connected: () => void): () => void;
}

const ERROR_CODES = new Set(["not_found", "invalid_input", "provider", "network", "config", "internal"]);

export function isApiError(v: unknown): v is ApiError {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.code === "string" && ERROR_CODES.has(o.code) && typeof o.message === "string";
}

export function apiError(code: ApiError["code"], message: string): ApiError {
  return { code, message, provider: null };
}

/** Anything thrown, as an `ApiError`. */
export function toApiError(e: unknown, fallback: ApiError["code"] = "internal"): ApiError {
  if (isApiError(e)) return { code: e.code, message: e.message, provider: e.provider ?? null };
  if (e instanceof Error) return apiError(fallback, e.message || String(e));
  if (typeof e === "string") return apiError(fallback, e);
  try {
    return apiError(fallback, JSON.stringify(e));
  } catch {
    return apiError(fallback, String(e));
  }
}

/** Query parameters in a fixed order, absent ones omitted. */
export function callQueryParams(q: CallQuery): string {
  const params = new URLSearchParams();
  const keys = ["from", "to", "account", "provider", "direction", "outcome", "number", "cursor", "limit"] as const;
  for (const k of keys) {
    const v = q[k];
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

// ---------------------------------------------------------------- HTTP

class HttpApi implements Api {
  private listeners = new Set<{ cb: (e: Event) => void; connected: () => void }>();
  private source: EventSource | null = null;

  constructor(private readonly base = "/api") {}

  private async get<T>(path: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { headers: { Accept: "application/json" } });
    } catch (e) {
      const detail = e instanceof Error && e.message ? ` (${e.message})` : "";
      throw apiError("network", t("error.fetchFailed") + detail);
    }
    let body: unknown;
    let parsed = true;
    try {
      body = await res.json();
    } catch {
      parsed = false;
    }
    if (!res.ok) {
      if (parsed && isApiError(body)) throw toApiError(body);
      const code = res.status === 404 ? "not_found" : res.status >= 500 ? "internal" : "invalid_input";
      throw apiError(code, t("error.http", { status: `${res.status} ${res.statusText}`.trim() }));
    }
    if (!parsed) throw apiError("internal", t("error.badResponse"));
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

  accountStatuses(): Promise<AccountStatus[]> {
    return this.get("/accounts");
  }

  onEvent(cb: (e: Event) => void, connected: () => void): () => void {
    const listener = { cb, connected };
    this.listeners.add(listener);
    if (this.source?.readyState === EventSource.OPEN) connected();
    if (!this.source) {
      // EventSource reconnects by itself after the server goes away.
      const es = new EventSource(`${this.base}/events`);
      const onMessage = (msg: MessageEvent) => {
        let ev: Event;
        try {
          ev = JSON.parse(String(msg.data)) as Event;
        } catch {
          return; // keep-alive or garbage
        }
        if (!ev || typeof ev !== "object" || !("type" in ev)) return;
        for (const l of [...this.listeners]) l.cb(ev);
      };
      // The server subscribes before it answers, so nothing sent after `open` is missed.
      es.onopen = () => {
        for (const l of [...this.listeners]) l.connected();
      };
      // Unnamed events ("message") are the contract; named ones are accepted too.
      es.onmessage = onMessage;
      es.addEventListener("calls_synced", onMessage);
      es.addEventListener("account_status", onMessage);
      this.source = es;
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.source) {
        this.source.close();
        this.source = null;
      }
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

  onEvent(cb: (e: Event) => void, connected: () => void): () => void {
    let unlisten: (() => void) | null = null;
    let cancelled = false;
    // `listen` resolves once the backend has registered the listener: from then on no event is lost.
    listen<Event>("callboard://event", (e) => cb(e.payload)).then(
      (u) => {
        if (cancelled) u();
        else {
          unlisten = u;
          connected();
        }
      },
      (e: unknown) => console.error("callboard: cannot listen to events", e),
    );
    return () => {
      cancelled = true;
      unlisten?.();
      unlisten = null;
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
