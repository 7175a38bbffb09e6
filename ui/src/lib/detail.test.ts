import { describe, expect, it, vi } from "vitest";
import type { CallDetail } from "../bindings/CallDetail";
import { apiError } from "./api";
import { OpenedCall } from "./detail.svelte";

const detail = (id: number) => ({ call: { id } }) as unknown as CallDetail;

function controlled() {
  const waiting = new Map<number, { resolve: (d: CallDetail) => void; reject: (e: unknown) => void }>();
  const getCall = vi.fn((id: number) => new Promise<CallDetail>((resolve, reject) => waiting.set(id, { resolve, reject })));
  return { getCall, waiting };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("OpenedCall", () => {
  it("loads the opened call", async () => {
    const api = controlled();
    const o = new OpenedCall(api);
    void o.open(1);
    expect(o).toMatchObject({ id: 1, loading: true, error: null });
    api.waiting.get(1)!.resolve(detail(1));
    await tick();
    expect(o.detail).toEqual(detail(1));
    expect(o.loading).toBe(false);
  });

  it("shows the last call opened, whichever answer comes first", async () => {
    const api = controlled();
    const o = new OpenedCall(api);
    void o.open(1);
    void o.open(2);
    api.waiting.get(2)!.resolve(detail(2));
    await tick();
    api.waiting.get(1)!.resolve(detail(1));
    await tick();
    expect(o.id).toBe(2);
    expect(o.detail).toEqual(detail(2));
  });

  it("does not read the open call again", async () => {
    const api = controlled();
    const o = new OpenedCall(api);
    void o.open(1);
    void o.open(1);
    expect(api.getCall).toHaveBeenCalledTimes(1);
  });

  it("keeps the error of a call that cannot be read", async () => {
    const api = controlled();
    const o = new OpenedCall(api);
    void o.open(1);
    api.waiting.get(1)!.reject(apiError("not_found", "gone"));
    await tick();
    expect(o.error?.code).toBe("not_found");
    expect(o.detail).toBeNull();
  });

  it("close() drops an answer still on its way", async () => {
    const api = controlled();
    const o = new OpenedCall(api);
    void o.open(1);
    o.close();
    api.waiting.get(1)!.resolve(detail(1));
    await tick();
    expect(o).toMatchObject({ id: null, detail: null, loading: false });
  });
});
