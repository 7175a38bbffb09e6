import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Call } from "../bindings/Call";
import type { CallPage } from "../bindings/CallPage";
import type { CallQuery } from "../bindings/CallQuery";
import { apiError } from "./api";
import { clearErrors, notices } from "./errors.svelte";
import { History } from "./history.svelte";

const call = (id: number) => ({ id }) as Call;
const calls = (...ids: number[]) => ids.map(call);
const ids = (h: History) => h.items.map((c) => c.id);

/** A listCalls whose answers the test gives, one per request, in the order asked. */
function scripted() {
  const pending: { q: CallQuery; resolve: (p: CallPage) => void; reject: (e: unknown) => void }[] = [];
  const listCalls = vi.fn(
    (q: CallQuery) =>
      new Promise<CallPage>((resolve, reject) => {
        pending.push({ q, resolve, reject });
      }),
  );
  const answer = async (items: Call[], next: string | null = null) => {
    const p = pending.shift();
    if (!p) throw new Error("no request pending");
    p.resolve({ items, next_cursor: next });
    await new Promise((r) => setTimeout(r, 0));
    return p.q;
  };
  const fail = async (e: unknown) => {
    pending.shift()!.reject(e);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { listCalls, answer, fail, pending };
}

function view() {
  return { scrollToTop: vi.fn(), shiftRows: vi.fn(), refreshSoon: vi.fn() };
}

describe("History", () => {
  beforeEach(() => clearErrors());

  it("shows a query's first page at the top; an older query's late answer is dropped", async () => {
    const api = scripted();
    const v = view();
    const h = new History(v, api, 3);
    void h.loadFirst({ provider: "mtt" });
    void h.loadFirst({ provider: "mor" });
    expect(h.loadState).toBe("loading");
    await api.answer(calls(1, 2, 3), "c1");
    expect(h.items).toEqual([]);
    const q = await api.answer(calls(7, 8, 9), "c2");
    expect(q).toEqual({ provider: "mor", limit: 3 });
    expect(ids(h)).toEqual([7, 8, 9]);
    expect(h.shownQuery).toEqual({ provider: "mor" });
    expect(h.loadState).toBe("ready");
    expect(v.scrollToTop).toHaveBeenCalledTimes(1);
  });

  it("pages on with the shown query and the cursor, skipping calls already shown", async () => {
    const api = scripted();
    const h = new History(view(), api, 3);
    void h.loadFirst({ account: "a" });
    await api.answer(calls(9, 8, 7), "c1");
    void h.loadMore();
    void h.loadMore(); // one page at a time
    expect(api.pending).toHaveLength(1);
    expect(await api.answer(calls(7, 6, 5), "c2")).toEqual({ account: "a", cursor: "c1", limit: 3 });
    expect(ids(h)).toEqual([9, 8, 7, 6, 5]);
    expect(h.nextCursor).toBe("c2");
  });

  it("stops paging after a failed page, with a banner", async () => {
    const api = scripted();
    const h = new History(view(), api, 3);
    void h.loadFirst({});
    await api.answer(calls(3, 2, 1), "c1");
    void h.loadMore();
    await api.fail(apiError("internal", "page lost"));
    expect(h.nextCursor).toBeNull();
    expect(h.loadingMore).toBe(false);
    expect(notices.map((n) => n.error.message)).toEqual(["page lost"]);
  });

  it("merges fresh calls on top and keeps the rows under the eye in place", async () => {
    const api = scripted();
    const v = view();
    const h = new History(v, api, 3);
    void h.loadFirst({});
    await api.answer(calls(5, 4, 3), "c1");
    void h.loadMore();
    await api.answer(calls(2, 1));
    void h.refreshTop({});
    await api.answer(calls(7, 6, 5), "x");
    expect(ids(h)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(v.shiftRows).toHaveBeenCalledWith(2);
  });

  it("starts over from the fresh page when more came than a page holds", async () => {
    const api = scripted();
    const h = new History(view(), api, 2);
    void h.loadFirst({});
    await api.answer(calls(2, 1), "c1");
    void h.refreshTop({});
    await api.answer(calls(9, 8), "c9");
    expect(ids(h)).toEqual([9, 8]);
    expect(h.nextCursor).toBe("c9");
  });

  it("a refresh during the first load asks for another once that page is in", async () => {
    const api = scripted();
    const v = view();
    const h = new History(v, api, 2);
    void h.loadFirst({});
    void h.refreshTop({});
    expect(api.pending).toHaveLength(1);
    await api.answer(calls(1));
    expect(v.refreshSoon).toHaveBeenCalledTimes(1);
  });

  it("a refresh after a failed first page retries it with the current filters", async () => {
    const api = scripted();
    const h = new History(view(), api, 2);
    void h.loadFirst({});
    await api.fail(apiError("network", "down"));
    expect(h.loadState).toBe("error");
    void h.refreshTop({ number: "916" });
    expect(await api.answer(calls(1))).toEqual({ number: "916", limit: 2 });
    expect(h.loadState).toBe("ready");
  });
});
