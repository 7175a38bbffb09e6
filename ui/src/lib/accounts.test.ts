import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AccountStatus } from "../bindings/AccountStatus";
import { Accounts, canSync, providersOf } from "./accounts.svelte";
import { apiError } from "./api";
import { clearErrors, notices } from "./errors.svelte";

function status(account: string, over: Partial<AccountStatus> = {}): AccountStatus {
  return {
    account,
    name: account.toUpperCase(),
    provider: "mtt",
    state: "ok",
    last_success: null,
    last_error: null,
    calls_synced: 0,
    next_attempt: null,
    backfill: null,
    capabilities: { call_log: true, recordings: true },
    ...over,
  };
}

/** A promise the test resolves or rejects when it wants. */
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

describe("providersOf", () => {
  it("lists each provider once, in the accounts' order", () => {
    const list = [status("a", { provider: "mor" }), status("b"), status("c", { provider: "mor" })];
    expect(providersOf(list)).toEqual(["mor", "mtt"]);
    expect(providersOf(null)).toEqual([]);
  });
});

describe("Accounts", () => {
  beforeEach(() => clearErrors());

  it("reads the statuses and names the accounts", async () => {
    const a = new Accounts({ accountStatuses: async () => [status("a"), status("b", { provider: "mor" })], syncNow: vi.fn() });
    await a.load();
    expect(a.list?.map((s) => s.account)).toEqual(["a", "b"]);
    expect(a.names).toEqual({ a: "A", b: "B" });
    expect(a.providers).toEqual(["mtt", "mor"]);
  });

  it("applies statuses that arrive during a read on top of its answer", async () => {
    const read = deferred<AccountStatus[]>();
    const a = new Accounts({ accountStatuses: () => read.promise, syncNow: vi.fn() });
    const loading = a.load();
    a.received(status("a", { calls_synced: 5 }));
    read.resolve([status("a", { calls_synced: 1 }), status("b")]);
    await loading;
    expect(a.list?.find((s) => s.account === "a")?.calls_synced).toBe(5);
  });

  it("reads again when asked during a read, and reads once an event comes before any list", async () => {
    const reads = vi.fn(async () => [status("a")]);
    const a = new Accounts({ accountStatuses: reads, syncNow: vi.fn() });
    a.received(status("a"), false);
    expect(reads).not.toHaveBeenCalled();
    a.received(status("a"));
    void a.load();
    await flush();
    await flush();
    expect(reads).toHaveBeenCalledTimes(2);
    a.received(status("c"));
    expect(a.list?.map((s) => s.account)).toEqual(["a", "c"]);
  });

  it("reports a failed read in a banner", async () => {
    const a = new Accounts({ accountStatuses: async () => Promise.reject(apiError("internal", "boom")), syncNow: vi.fn() });
    await a.load();
    expect(a.list).toBeNull();
    expect(notices.map((n) => n.error.message)).toEqual(["boom"]);
  });

  it("sync now: busy while it runs, then shows the status it answered", async () => {
    const pass = deferred<AccountStatus>();
    const syncNow = vi.fn(() => pass.promise);
    const a = new Accounts({ accountStatuses: async () => [status("a", { calls_synced: 1 })], syncNow });
    await a.load();
    const running = a.syncNow("a");
    expect(a.syncing.a).toBe(true);
    // A second press while it runs asks nothing more.
    await a.syncNow("a");
    expect(syncNow).toHaveBeenCalledTimes(1);
    pass.resolve(status("a", { calls_synced: 9 }));
    await running;
    expect(a.syncing.a).toBeUndefined();
    expect(a.list?.[0].calls_synced).toBe(9);
  });

  it("sync now: keeps the failure for the account, with the provider's code, until the next try", async () => {
    const provider = { provider: "mtt" as const, code: "-32001", message: "Auth failed" };
    const syncNow = vi
      .fn()
      .mockRejectedValueOnce({ code: "provider", message: "refused", provider, hint: null })
      .mockResolvedValueOnce(status("a"));
    const a = new Accounts({ accountStatuses: async () => [status("a")], syncNow });
    await a.load();
    await a.syncNow("a");
    expect(a.syncErrors.a?.provider).toEqual(provider);
    expect(notices).toHaveLength(0);
    await a.syncNow("a");
    expect(a.syncErrors.a).toBeUndefined();
  });

  it("offers no sync for an unsupported account", () => {
    expect(canSync(status("a", { state: "unsupported" }))).toBe(false);
    expect(canSync(status("a", { state: "error" }))).toBe(true);
    // Asked of the account, not of its provider: no call log, nothing to sync.
    expect(canSync(status("a", { capabilities: { call_log: false, recordings: false } }))).toBe(false);
  });
});
