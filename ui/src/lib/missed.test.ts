import { beforeEach, describe, expect, it, vi } from "vitest";
import type { MissedCaller } from "../bindings/MissedCaller";
import type { MissedQueue } from "../bindings/MissedQueue";
import { apiError } from "./api";
import { clearErrors, notices } from "./errors.svelte";
import { MissedQueueStore } from "./missed.svelte";

function caller(number: string, missed = 1): MissedCaller {
  return {
    number,
    missed,
    first_missed_at: "2026-11-24T09:00:00Z",
    last_missed_at: "2026-11-24T10:00:00Z",
    account: "mtt-demo",
    last_call_id: 1,
  };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

describe("MissedQueueStore", () => {
  beforeEach(() => clearErrors());

  it("reads the queue, oldest first, with its total, asking for at most its limit", async () => {
    const missedQueue = vi.fn(async () => ({ callers: [caller("+79160000001", 2), caller("+79160000002")], total: 5 }));
    const m = new MissedQueueStore({ missedQueue }, 2);
    await m.load();
    expect(missedQueue).toHaveBeenCalledWith({ limit: 2 });
    expect(m.callers?.map((c) => c.number)).toEqual(["+79160000001", "+79160000002"]);
    expect(m.total).toBe(5);
  });

  it("on a missed_queue event shows the new count at once and reads the queue again", async () => {
    const missedQueue = vi
      .fn()
      .mockResolvedValueOnce({ callers: [caller("+79160000001")], total: 1 })
      .mockResolvedValueOnce({ callers: [caller("+79160000001"), caller("+79160000002")], total: 2 });
    const m = new MissedQueueStore({ missedQueue });
    await m.load();
    m.received(2);
    expect(m.total).toBe(2);
    await flush();
    expect(missedQueue).toHaveBeenCalledTimes(2);
    expect(m.callers?.map((c) => c.number)).toEqual(["+79160000001", "+79160000002"]);
  });

  it("events during a read cause one more read after it, not one each", async () => {
    const first = deferred<MissedQueue>();
    const missedQueue = vi.fn().mockReturnValueOnce(first.promise).mockResolvedValue({ callers: [caller("+79160000003")], total: 1 });
    const m = new MissedQueueStore({ missedQueue });
    const loading = m.load();
    m.received(3);
    m.received(1);
    first.resolve({ callers: [], total: 0 });
    await loading;
    await flush();
    expect(missedQueue).toHaveBeenCalledTimes(2);
    // The read that followed the events wins over the one that was in flight.
    expect(m.total).toBe(1);
    expect(m.callers?.map((c) => c.number)).toEqual(["+79160000003"]);
  });

  it("reports a failed read in a banner and keeps what it had", async () => {
    const missedQueue = vi
      .fn()
      .mockResolvedValueOnce({ callers: [caller("+79160000001")], total: 1 })
      .mockRejectedValueOnce(apiError("internal", "database is locked"));
    const m = new MissedQueueStore({ missedQueue });
    await m.load();
    await m.load();
    expect(m.callers).toHaveLength(1);
    expect(notices.map((n) => n.error.message)).toEqual(["database is locked"]);
  });
});
