import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { commandArgs, createApi, httpRequest, RECONNECT_BACKOFF_MS, parseEvent, queryParams, toApiError } from "./api";
import { OPERATIONS } from "./operations.generated";
import type { UiError } from "./ui-error";

/** A scriptable EventSource: the test opens, feeds and breaks it. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static all: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  named = new Map<string, (m: { data: string }) => void>();
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(name: string, fn: (m: { data: string }) => void) {
    this.named.set(name, fn);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }
  send(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
  fail(closed: boolean) {
    this.readyState = closed ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.onerror?.();
  }
  static last(): FakeEventSource {
    return FakeEventSource.all[FakeEventSource.all.length - 1];
  }
}

function handlers() {
  return { onEvent: vi.fn(), onOpen: vi.fn(), onDown: vi.fn() };
}

describe("HttpApi.subscribe", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.all = [];
    vi.stubGlobal("EventSource", FakeEventSource);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("passes events on, heartbeats included, and reports the opening", () => {
    const h = handlers();
    const sub = createApi().subscribe(h);
    const es = FakeEventSource.last();
    expect(es.url).toBe("/api/events");
    es.open();
    expect(h.onOpen).toHaveBeenCalledTimes(1);
    es.send({ type: "heartbeat" });
    es.send({ type: "calls_synced", account: "a", inserted: 1, updated: 0 });
    es.onmessage?.({ data: "not json" });
    expect(h.onEvent.mock.calls.map((c) => c[0].type)).toEqual(["heartbeat", "calls_synced"]);
    sub.close();
    expect(es.readyState).toBe(FakeEventSource.CLOSED);
  });

  it("re-creates a failed stream itself, with a growing back-off, even after a fatal error", () => {
    const h = handlers();
    const sub = createApi().subscribe(h);
    FakeEventSource.last().open();
    // The server went away: the browser would give up for good on an HTTP error (CLOSED).
    FakeEventSource.last().fail(true);
    expect(h.onDown).toHaveBeenCalledTimes(1);
    expect(FakeEventSource.all).toHaveLength(1);
    vi.advanceTimersByTime(RECONNECT_BACKOFF_MS[0]);
    expect(FakeEventSource.all).toHaveLength(2);
    FakeEventSource.last().fail(false);
    vi.advanceTimersByTime(RECONNECT_BACKOFF_MS[1] - 1);
    expect(FakeEventSource.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.all).toHaveLength(3);
    // Back: the back-off starts over.
    FakeEventSource.last().open();
    expect(h.onOpen).toHaveBeenCalledTimes(2);
    FakeEventSource.last().fail(true);
    vi.advanceTimersByTime(RECONNECT_BACKOFF_MS[0]);
    expect(FakeEventSource.all).toHaveLength(4);
    sub.close();
  });

  it("closes the browser's own retrying source, so only one connection exists", () => {
    const sub = createApi().subscribe(handlers());
    const first = FakeEventSource.last();
    first.fail(false);
    expect(first.readyState).toBe(FakeEventSource.CLOSED);
    sub.close();
  });

  it("reconnect() skips the wait, but leaves an attempt in progress alone", () => {
    const sub = createApi().subscribe(handlers());
    sub.reconnect();
    expect(FakeEventSource.all).toHaveLength(1);
    FakeEventSource.last().fail(true);
    sub.reconnect();
    expect(FakeEventSource.all).toHaveLength(2);
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.all).toHaveLength(2);
    sub.close();
  });

  it("does not come back after close()", () => {
    const sub = createApi().subscribe(handlers());
    FakeEventSource.last().fail(true);
    sub.close();
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.all).toHaveLength(1);
  });
});

describe("HttpApi requests", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  async function failure(p: Promise<unknown>): Promise<UiError> {
    try {
      await p;
    } catch (e) {
      return e as UiError;
    }
    throw new Error("expected a rejection");
  }

  it("keeps the backend's error with its hint", async () => {
    const body = { code: "config", message: "m", provider: null, hint: { kind: "secret_missing", account: "a", env: "E", keyring: null } };
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(body), { status: 500 })));
    const e = await failure(createApi().accountStatuses());
    expect(e).toEqual(body);
  });

  it("marks an unreachable backend as such", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    const e = await failure(createApi().listCalls({}));
    expect(e.transport).toEqual({ kind: "backend_unreachable", detail: "Failed to fetch" });
  });

  it("keeps a foreign error answer whole, with its status", async () => {
    const body = `{"error":"unauthorized","detail":"${"y".repeat(500)}"}`;
    vi.stubGlobal("fetch", vi.fn(async () => new Response(body, { status: 401, statusText: "Unauthorized" })));
    const e = await failure(createApi().appInfo());
    expect(e.code).toBe("invalid_input");
    expect(e.transport).toEqual({ kind: "http_status", status: 401, statusText: "Unauthorized", body });
  });

  it("asks for a sync pass with a POST and answers the account's status", async () => {
    const status = { account: "mtt main", state: "ok" };
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => new Response(JSON.stringify(status), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    await expect(createApi().syncNow("mtt main")).resolves.toEqual(status);
    expect(fetch.mock.calls[0][0]).toBe("/api/accounts/mtt%20main/sync");
    expect(fetch.mock.calls[0][1]?.method).toBe("POST");
  });

  it("keeps the provider's error of a failed sync pass", async () => {
    const body = { code: "provider", message: "m", provider: { provider: "mtt", code: "-32001", message: "Auth failed" }, hint: null };
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(body), { status: 502 })));
    expect(await failure(createApi().syncNow("a"))).toEqual(body);
  });

  it("exports through a download of the export URL with the filters, without paging", async () => {
    const clicked: { href: string; download: string }[] = [];
    const anchor = {
      href: "",
      download: "",
      style: {},
      click() {
        clicked.push({ href: this.href, download: this.download });
      },
      remove: vi.fn(),
    };
    vi.stubGlobal("document", { createElement: () => anchor, body: { append: vi.fn() } });
    const q = { provider: "mor", number: "916", cursor: "c1", limit: 500 } as const;
    await expect(createApi().exportCalls(q, "callboard-calls-2026-11-25.csv")).resolves.toBe("saved");
    expect(clicked).toEqual([{ href: "/api/calls/export.csv?provider=mor&number=916", download: "callboard-calls-2026-11-25.csv" }]);
    expect(anchor.remove).toHaveBeenCalled();
  });

  it("says when a 200 answer is not JSON", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<!doctype html>", { status: 200 })));
    const e = await failure(createApi().appInfo());
    expect(e.transport).toEqual({ kind: "bad_response", status: 200, body: "<!doctype html>" });
  });
});

describe("HttpApi operations, from the generated table", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function answering(body: unknown) {
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => new Response(JSON.stringify(body), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    return fetch;
  }

  it("has a method for every operation", () => {
    const api = createApi();
    for (const name of Object.keys(OPERATIONS)) expect(typeof (api as unknown as Record<string, unknown>)[name]).toBe("function");
  });

  it("fills path arguments in, encoded, and sends the operation's method", async () => {
    const status = { account: "офис", state: "ok" };
    const fetch = answering(status);
    await expect(createApi().syncNow("офис/1")).resolves.toEqual(status);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe("/api/accounts/%D0%BE%D1%84%D0%B8%D1%81%2F1/sync");
    expect(init?.method).toBe("POST");
    expect(init?.body).toBeUndefined();
  });

  it("reads a query struct into the query string, empty fields left out", async () => {
    const fetch = answering({ items: [], next_cursor: null });
    await createApi().listCalls({ account: "a b", direction: "incoming", number: "", limit: 50 });
    expect(fetch.mock.calls[0][0]).toBe("/api/calls?account=a+b&direction=incoming&limit=50");
    expect(fetch.mock.calls[0][1]?.method).toBe("GET");
    answering([]);
    await createApi().recordingParts(7);
  });

  it("builds a JSON body for a body argument", () => {
    const spec = { command: "x", method: "PUT", path: "/calls/{id}/note", args: [{ name: "id", in: "path" }, { name: "note", in: "body" }] } as const;
    const { path, init } = httpRequest(spec, [3, { text: "перезвонить" }]);
    expect(path).toBe("/calls/3/note");
    expect(init.body).toBe('{"text":"перезвонить"}');
    expect((init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(commandArgs(spec, [3, { text: "t" }])).toEqual({ id: 3, note: { text: "t" } });
  });

  it("downloads the CSV export of the filters, without page position or size", async () => {
    const clicked: { href: string; download: string }[] = [];
    const anchor = {
      href: "",
      download: "",
      style: {},
      click() {
        clicked.push({ href: this.href, download: this.download });
      },
      remove: vi.fn(),
    };
    vi.stubGlobal("document", { createElement: () => anchor, body: { append: vi.fn() } });
    const outcome = await createApi().exportCalls({ account: "офис", cursor: "1_2", limit: 200, outcome: "missed" }, "callboard-calls-2026-11-25.csv");
    expect(outcome).toBe("saved");
    expect(clicked).toEqual([{ href: "/api/calls/export.csv?account=%D0%BE%D1%84%D0%B8%D1%81&outcome=missed", download: "callboard-calls-2026-11-25.csv" }]);
    expect(anchor.remove).toHaveBeenCalled();
    expect(queryParams({})).toBe("");
  });
});

describe("helpers", () => {
  it("parseEvent accepts objects with a type only", () => {
    expect(parseEvent('{"type":"heartbeat"}')).toEqual({ type: "heartbeat" });
    expect(parseEvent("[1]")).toBeNull();
    expect(parseEvent("null")).toBeNull();
    expect(parseEvent("")).toBeNull();
  });

  it("toApiError keeps hints and turns anything else into an internal error", () => {
    const hint = { kind: "rate_limited" } as const;
    expect(toApiError({ code: "provider", message: "m", provider: null, hint }).hint).toEqual(hint);
    expect(toApiError({ code: "provider", message: "m", provider: null }).hint).toBeNull();
    expect(toApiError("Command save_recording not found")).toEqual({
      code: "internal",
      message: "Command save_recording not found",
      provider: null,
      hint: null,
    });
  });
});
