import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LiveCall } from "../bindings/LiveCall";
import { apiError } from "./api";
import { clearErrors, notices } from "./errors.svelte";
import { ENDED_KEPT_MS, ENDED_MAX, LiveBoard, compareLive, keyBase, pruneLive, secondsSince, upsertLive } from "./live.svelte";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const at = (secs: number) => new Date(T0 + secs * 1000).toISOString();

function call(key: string, over: Partial<LiveCall> = {}): LiveCall {
  return {
    key,
    account: "mtt-demo",
    provider: "mtt",
    state: "ringing",
    direction: "incoming",
    caller: "+79161234567",
    callee: "+74996480000",
    target: null,
    started_at: at(0),
    answered_at: null,
    ended_at: null,
    outcome: null,
    history_id: null,
    routing: null,
    steps: [],
    details: [],
    ...over,
  };
}

/** The call `key` as it ends: its key then carries its start, as the backend writes it. */
function ended(key: string, secs: number, over: Partial<LiveCall> = {}): LiveCall {
  return call(`${key}@${T0}`, { state: "ended", ended_at: at(secs), outcome: "answered", ...over });
}

const keys = (list: readonly LiveCall[] | null) => (list ?? []).map((c) => `${c.key}:${c.state}`);

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

describe("keyBase", () => {
  it("drops the start an ended call's key carries, and only that", () => {
    expect(keyBase("mtt:abc@1700000000000")).toBe("mtt:abc");
    expect(keyBase("mtt:abc")).toBe("mtt:abc");
    expect(keyBase("sprecord:user@host@1700000000000")).toBe("sprecord:user@host");
    expect(keyBase("sprecord:user@host")).toBe("sprecord:user@host");
  });
});

describe("upsertLive", () => {
  it("replaces the row of the same key in place of adding one", () => {
    let list = upsertLive([], call("a"));
    list = upsertLive(list, call("a", { state: "talking", answered_at: at(5) }));
    expect(keys(list)).toEqual(["a:talking"]);
  });

  it("an ended call takes the place of its open row (its key now carries its start)", () => {
    let list = upsertLive([], call("a", { state: "talking" }));
    list = upsertLive(list, call("b", { started_at: at(3) }));
    list = upsertLive(list, ended("a", 20));
    expect(keys(list)).toEqual(["b:ringing", `a@${T0}:ended`]);
    // A late change of the ended call (its history row) replaces it again.
    list = upsertLive(list, ended("a", 20, { history_id: 42 }));
    expect(list.filter((c) => c.state === "ended").map((c) => c.history_id)).toEqual([42]);
  });

  it("keeps a new call on the same provider key apart from the ended one", () => {
    let list = upsertLive([], ended("chan1", 10));
    list = upsertLive(list, call("chan1", { started_at: at(30) }));
    expect(keys(list)).toEqual(["chan1:ringing", `chan1@${T0}:ended`]);
  });

  it("only an open row of the same account is ended by another account's end", () => {
    let list = upsertLive([], call("a", { account: "one" }));
    list = upsertLive(list, ended("a", 10, { account: "two" }));
    expect(keys(list)).toEqual(["a:ringing", `a@${T0}:ended`]);
  });

  it("orders open calls newest first, then ended ones latest to end first", () => {
    const list = [
      ended("e1", 10),
      call("o1", { started_at: at(1) }),
      { ...ended("e2", 30), key: "e2@1" },
      call("o2", { started_at: at(5), state: "talking" }),
    ].sort(compareLive);
    expect(list.map((c) => c.key)).toEqual(["o2", "o1", "e2@1", `e1@${T0}`]);
  });
});

describe("pruneLive", () => {
  it("drops ended calls once kept long enough, and past the most kept", () => {
    const list = [call("open", { started_at: at(-10_000) }), ended("old", 0), { ...ended("new", 100), key: "new@1" }];
    expect(pruneLive(list, T0 + ENDED_KEPT_MS + 50_000).map((c) => c.key)).toEqual(["open", "new@1"]);
    // Unchanged: the same list, so nothing re-renders.
    expect(pruneLive(list, T0)).toBe(list);
    const many = Array.from({ length: ENDED_MAX + 5 }, (_, i) => ({ ...ended("x", 10), key: `x@${i}` }));
    expect(pruneLive(many, T0 + 20_000)).toHaveLength(ENDED_MAX);
  });
});

describe("secondsSince", () => {
  it("counts whole seconds, never below zero", () => {
    expect(secondsSince(at(0), T0 + 7_900)).toBe(7);
    expect(secondsSince(at(10), T0)).toBe(0);
    expect(secondsSince(null, T0)).toBe(0);
  });
});

describe("LiveBoard", () => {
  beforeEach(() => clearErrors());

  it("reads the board and folds events into it, upserting by key", async () => {
    const b = new LiveBoard({ liveCalls: async () => [ended("x", 5), call("a")], demoCall: vi.fn() }, () => T0 + 60_000);
    b.received(call("ignored"));
    expect(b.calls).toBeNull();
    await b.load();
    expect(keys(b.calls)).toEqual(["a:ringing", `x@${T0}:ended`]);
    b.received(call("a", { state: "talking" }));
    b.received(call("c", { started_at: at(9) }));
    expect(keys(b.calls)).toEqual(["c:ringing", "a:talking", `x@${T0}:ended`]);
    expect(b.open).toBe(2);
    b.received(ended("a", 40, { history_id: 7 }));
    expect(keys(b.calls)).toEqual(["c:ringing", `a@${T0}:ended`, `x@${T0}:ended`]);
    expect(b.open).toBe(1);
  });

  it("says when a call has just landed in the history, once", async () => {
    const b = new LiveBoard({ liveCalls: async () => [call("a", { state: "talking" })], demoCall: vi.fn() }, () => T0);
    expect(b.received(ended("a", 10))).toBe(false);
    await b.load();
    expect(b.received(ended("a", 10))).toBe(false);
    expect(b.received(ended("a", 10, { history_id: 5 }))).toBe(true);
    expect(b.received(ended("a", 10, { history_id: 5, routing: "x" }))).toBe(false);
    // A rejected call arrives ended, its row written right after.
    expect(b.received(ended("r", 0, { outcome: "failed" }))).toBe(false);
    expect(b.received(ended("r", 0, { outcome: "failed", history_id: 6 }))).toBe(true);
  });

  it("applies calls that change during a read on top of its answer", async () => {
    const read = deferred<LiveCall[]>();
    const b = new LiveBoard({ liveCalls: () => read.promise, demoCall: vi.fn() }, () => T0);
    const loading = b.load();
    b.received(call("a", { state: "talking" }));
    b.received(ended("a", 30));
    read.resolve([call("a")]);
    await loading;
    expect(keys(b.calls)).toEqual([`a@${T0}:ended`]);
  });

  it("reads again when asked during a read", async () => {
    const reads = vi.fn(async () => [call("a")]);
    const b = new LiveBoard({ liveCalls: reads, demoCall: vi.fn() });
    void b.load();
    void b.load();
    await flush();
    await flush();
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it("ages ended calls out on its clock", async () => {
    let now = T0;
    const b = new LiveBoard({ liveCalls: async () => [ended("x", 0), call("a")], demoCall: vi.fn() }, () => now);
    await b.load();
    now += ENDED_KEPT_MS + 1;
    b.prune();
    expect(keys(b.calls)).toEqual(["a:ringing"]);
  });

  it("reports a failed read in a banner", async () => {
    const b = new LiveBoard({ liveCalls: async () => Promise.reject(apiError("internal", "boom")), demoCall: vi.fn() });
    await b.load();
    expect(b.calls).toBeNull();
    expect(notices.map((n) => n.error.message)).toEqual(["boom"]);
  });

  it("simulates a call and keeps its caller; a refusal is kept for the control", async () => {
    const demoCall = vi
      .fn()
      .mockResolvedValueOnce({ caller: "+79160000001" })
      .mockRejectedValueOnce({ code: "invalid_input", message: "simulated calls exist in demo mode only", provider: null, hint: null });
    const b = new LiveBoard({ liveCalls: async () => [], demoCall });
    expect(await b.simulate("sprecord", false)).toBe("+79160000001");
    expect(demoCall).toHaveBeenCalledWith({ provider: "sprecord", caller: null, answered: false, ring_secs: null, talk_secs: null });
    expect(b.placedCaller).toBe("+79160000001");
    expect(await b.simulate("mtt", true)).toBeNull();
    expect(b.placeError?.code).toBe("invalid_input");
    expect(b.placing).toBe(false);
  });
});
