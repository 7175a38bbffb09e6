// The desktop transport, with Tauri's IPC mocked: the same contract as over HTTP.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Handler = (e: { payload: unknown }) => void;
const tauri = vi.hoisted(() => ({
  listeners: [] as { name: string; handler: Handler; unlisten: () => void }[],
  listenResult: "ok" as "ok" | "fail",
  invoke: (async () => undefined) as (...args: unknown[]) => Promise<unknown>,
}));

vi.mock("@tauri-apps/api/event", () => ({
  listen: vi.fn(async (name: string, handler: Handler) => {
    if (tauri.listenResult === "fail") throw new Error("event plugin not ready");
    const entry = { name, handler, unlisten: vi.fn() };
    tauri.listeners.push(entry);
    return entry.unlisten;
  }),
}));
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => tauri.invoke(...args) }));

async function tauriApi() {
  vi.resetModules();
  vi.stubGlobal("window", { __TAURI_INTERNALS__: {} });
  const mod = await import("./api");
  return mod;
}

const flush = () => new Promise<void>((r) => queueMicrotask(r)).then(() => Promise.resolve());

function handlers() {
  return { onEvent: vi.fn(), onOpen: vi.fn(), onDown: vi.fn() };
}

describe("TauriApi", () => {
  beforeEach(() => {
    tauri.listeners = [];
    tauri.listenResult = "ok";
    tauri.invoke = vi.fn();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("opens once the listener is registered and passes events on", async () => {
    const { createApi } = await tauriApi();
    const h = handlers();
    const sub = createApi().subscribe(h);
    await flush();
    expect(tauri.listeners.map((l) => l.name)).toEqual(["callboard://event"]);
    expect(h.onOpen).toHaveBeenCalledTimes(1);
    tauri.listeners[0].handler({ payload: { type: "heartbeat" } });
    expect(h.onEvent).toHaveBeenCalledWith({ type: "heartbeat" });
    sub.close();
    expect(tauri.listeners[0].unlisten).toHaveBeenCalled();
  });

  it("reconnect() registers a fresh listener and drops the old one", async () => {
    const { createApi } = await tauriApi();
    const h = handlers();
    const sub = createApi().subscribe(h);
    await flush();
    sub.reconnect();
    await flush();
    expect(tauri.listeners).toHaveLength(2);
    expect(tauri.listeners[0].unlisten).toHaveBeenCalled();
    expect(h.onOpen).toHaveBeenCalledTimes(2);
    // A late event on the old listener is not delivered twice.
    tauri.listeners[0].handler({ payload: { type: "heartbeat" } });
    expect(h.onEvent).not.toHaveBeenCalled();
    sub.close();
  });

  it("reports a listener that cannot be registered and tries again", async () => {
    vi.useFakeTimers();
    const { createApi, RECONNECT_BACKOFF_MS } = await tauriApi();
    tauri.listenResult = "fail";
    const h = handlers();
    const sub = createApi().subscribe(h);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.onDown).toHaveBeenCalledTimes(1);
    tauri.listenResult = "ok";
    await vi.advanceTimersByTimeAsync(RECONNECT_BACKOFF_MS[0]);
    expect(h.onOpen).toHaveBeenCalledTimes(1);
    sub.close();
  });

  it("saves a recording through the native dialog command", async () => {
    const { createApi } = await tauriApi();
    tauri.invoke = vi.fn(async () => "cancelled");
    await expect(createApi().downloadRecording(7, 1, "2026-11-24_14-05-33_+79161234567_part2.wav")).resolves.toBe("cancelled");
    expect(tauri.invoke).toHaveBeenCalledWith("save_recording", { id: 7, index: 1, fileName: "2026-11-24_14-05-33_+79161234567_part2.wav" });
  });

  it("invokes each table operation's command with its arguments by name", async () => {
    const { createApi } = await tauriApi();
    tauri.invoke = vi.fn(async () => ({ ok: true }));
    const api = createApi();
    await api.appInfo();
    await api.listCalls({ account: "a" });
    await api.getCall(7);
    await api.syncNow("офис");
    expect(tauri.invoke).toHaveBeenNthCalledWith(1, "app_info", {});
    expect(tauri.invoke).toHaveBeenNthCalledWith(2, "list_calls", { query: { account: "a" } });
    expect(tauri.invoke).toHaveBeenNthCalledWith(3, "get_call", { id: 7 });
    expect(tauri.invoke).toHaveBeenNthCalledWith(4, "sync_now", { account: "офис" });
  });

  it("exports calls through the native dialog command", async () => {
    const { createApi } = await tauriApi();
    tauri.invoke = vi.fn(async () => "saved");
    await expect(createApi().exportCalls({ direction: "incoming" }, "callboard-calls-2026-11-25.csv")).resolves.toBe("saved");
    expect(tauri.invoke).toHaveBeenCalledWith("export_calls", { query: { direction: "incoming" }, fileName: "callboard-calls-2026-11-25.csv" });
  });

  it("turns a rejected command into an error the UI can describe", async () => {
    const { createApi } = await tauriApi();
    const hint = { kind: "recording_gone" };
    tauri.invoke = vi.fn(async () => {
      throw { code: "not_found", message: "gone", provider: null, hint };
    });
    await expect(createApi().recordingParts(7)).rejects.toEqual({ code: "not_found", message: "gone", provider: null, hint });
  });
});
