import { describe, expect, it, vi } from "vitest";
import type { RefusedRequest } from "../bindings/RefusedRequest";
import { apiError } from "./api";
import { ListenerStore } from "./listener.svelte";

const refused = (id: number): RefusedRequest => ({
  id,
  at: "2026-11-24T10:00:00Z",
  source: "127.0.0.1",
  method: "POST",
  path: "/hooks/mtt/***",
  account: "mtt-demo",
  status: 403,
  reason: "wrong token",
  head: "{}",
});
const ids = (l: ListenerStore) => (l.refused ?? []).map((r) => r.id);

describe("ListenerStore", () => {
  it("pages the refused requests back from the oldest shown", async () => {
    const refusedRequests = vi
      .fn()
      .mockResolvedValueOnce([refused(9), refused(8)])
      .mockResolvedValueOnce([refused(7), refused(6)])
      .mockResolvedValueOnce([refused(5)]);
    const l = new ListenerStore({ webhooks: vi.fn(), refusedRequests }, 2);
    await l.loadRefused();
    expect(ids(l)).toEqual([9, 8]);
    expect(l.hasOlder).toBe(true);
    await l.loadOlder();
    expect(refusedRequests).toHaveBeenLastCalledWith({ limit: 2, before: 8 });
    await l.loadOlder();
    expect(ids(l)).toEqual([9, 8, 7, 6, 5]);
    // A short page is the last.
    expect(l.hasOlder).toBe(false);
    await l.loadOlder();
    expect(refusedRequests).toHaveBeenCalledTimes(3);
  });

  it("a refresh during paging wins over the older page in flight", async () => {
    let older!: (v: RefusedRequest[]) => void;
    const refusedRequests = vi
      .fn()
      .mockResolvedValueOnce([refused(9), refused(8)])
      .mockReturnValueOnce(new Promise<RefusedRequest[]>((res) => (older = res)))
      .mockResolvedValueOnce([refused(10), refused(9)]);
    const l = new ListenerStore({ webhooks: vi.fn(), refusedRequests }, 2);
    await l.loadRefused();
    const paging = l.loadOlder();
    await l.loadRefused();
    older([refused(7)]);
    await paging;
    expect(ids(l)).toEqual([10, 9]);
  });

  it("gives each account its URLs, and keeps a failure to show", async () => {
    const webhooks = vi
      .fn()
      .mockResolvedValueOnce([{ account: "mtt-demo", provider: "mtt", urls: [{ purpose: "routing", url: "http://127.0.0.1/x" }] }])
      .mockRejectedValueOnce(apiError("internal", "boom"));
    const l = new ListenerStore({ webhooks, refusedRequests: vi.fn() });
    await l.loadHooks();
    expect(l.urlsOf("mtt-demo").map((u) => u.purpose)).toEqual(["routing"]);
    expect(l.urlsOf("other")).toEqual([]);
    await l.loadHooks();
    expect(l.hooksError?.message).toBe("boom");
    expect(l.urlsOf("mtt-demo")).toHaveLength(1);
  });
});
