import { describe, expect, it, vi } from "vitest";
import type { RoutingRules } from "../bindings/RoutingRules";
import { apiError } from "./api";
import { RoutingStore, type RoutingApi } from "./routing.svelte";

const rules = (over: Partial<RoutingRules> = {}): RoutingRules => ({
  blacklist: [],
  vip: [],
  plans: [],
  settings: { time_zone: "Europe/Moscow", reject_prompt: null },
  ...over,
});

const blocked = { id: 0, pattern: "79990001122", match_kind: "exact" as const, reason: "", expires_at: null, created_at: "2026-11-24T10:00:00Z" };

function fakeApi(over: Partial<RoutingApi> = {}): RoutingApi {
  return {
    routingRules: vi.fn(async () => rules()),
    saveBlocked: vi.fn(async (b) => rules({ blacklist: [{ ...b, id: 9 }] })),
    saveVip: vi.fn(),
    savePlan: vi.fn(),
    saveRoutingSettings: vi.fn(),
    deleteRule: vi.fn(async () => rules()),
    testRoute: vi.fn(async () => ({ answer: "rejected: blacklisted (spam)", decided: true })),
    ...over,
  };
}

describe("RoutingStore", () => {
  it("an accepted edit shows the rules the backend answered", async () => {
    const a = fakeApi();
    const r = new RoutingStore(a);
    await r.load();
    expect(await r.saveBlocked(blocked)).toBe(true);
    expect(a.saveBlocked).toHaveBeenCalledWith(blocked);
    expect(r.rules?.blacklist.map((b) => b.id)).toEqual([9]);
    expect(await r.remove(9)).toBe(true);
    expect(r.rules?.blacklist).toEqual([]);
  });

  it("a refused edit is kept beside its form until that form's next try", async () => {
    const refusal = apiError("invalid_input", "forwarding plan 3, targets[0].timeout_secs: ring timeout 1 s is outside 5 to 600 s");
    const savePlan = vi.fn().mockRejectedValueOnce(refusal).mockResolvedValueOnce(rules());
    const r = new RoutingStore(fakeApi({ savePlan }));
    await r.load();
    const before = r.rules;
    const plan = { id: 0, line: "1", name: "", mode: "single" as const, targets: [], schedule: [], after_hours: { kind: "reject" as const } };
    expect(await r.savePlan(plan)).toBe(false);
    expect(r.errors.plan?.message).toBe(refusal.message);
    expect(r.errors.blacklist).toBeUndefined();
    expect(r.rules).toBe(before);
    expect(r.busy).toBeNull();
    expect(await r.savePlan(plan)).toBe(true);
    expect(r.errors.plan).toBeUndefined();
  });

  it("one edit at a time", async () => {
    let finish!: (v: RoutingRules) => void;
    const saveBlocked = vi.fn(() => new Promise<RoutingRules>((res) => (finish = res)));
    const r = new RoutingStore(fakeApi({ saveBlocked }));
    const first = r.saveBlocked(blocked);
    expect(r.busy).toBe("blacklist");
    expect(await r.saveBlocked(blocked)).toBe(false);
    finish(rules());
    expect(await first).toBe(true);
    expect(saveBlocked).toHaveBeenCalledTimes(1);
  });

  it("a read answered after an edit does not undo it", async () => {
    let answer!: (v: RoutingRules) => void;
    const routingRules = vi.fn(() => new Promise<RoutingRules>((res) => (answer = res)));
    const r = new RoutingStore(fakeApi({ routingRules }));
    const loading = r.load();
    await r.saveBlocked(blocked);
    answer(rules());
    await loading;
    expect(r.rules?.blacklist.map((b) => b.id)).toEqual([9]);
  });

  it("tests a call: the backend's sentence, or why there is none", async () => {
    const testRoute = vi.fn().mockResolvedValueOnce({ answer: "forwarded to 101 (the line's plan)", decided: true }).mockRejectedValueOnce(apiError("invalid_input", "no caller"));
    const r = new RoutingStore(fakeApi({ testRoute }));
    await r.test(" 79161234567 ", "74996480000 ");
    expect(testRoute).toHaveBeenCalledWith({ caller: "79161234567", called: "74996480000" });
    expect(r.testAnswer).toBe("forwarded to 101 (the line's plan)");
    await r.test("", "");
    expect(r.testAnswer).toBeNull();
    expect(r.testError?.message).toBe("no caller");
  });
});
