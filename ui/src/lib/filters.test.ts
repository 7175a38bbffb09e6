import { describe, expect, it } from "vitest";
import type { AccountStatus } from "../bindings/AccountStatus";
import { accountsFor, emptyFilters, isFiltered, toQuery, withProvider } from "./filters";

describe("toQuery", () => {
  it("turns days into local midnights, the end day inclusive", () => {
    const q = toQuery({ ...emptyFilters(), from: "2026-11-20", to: "2026-11-24" }, "");
    expect(q.from).toBe(new Date(2026, 10, 20).toISOString());
    expect(q.to).toBe(new Date(2026, 10, 25).toISOString());
  });

  it("never sends a range the wrong way round", () => {
    const q = toQuery({ ...emptyFilters(), from: "2026-11-24", to: "2026-11-20" }, "");
    expect(q.from).toBe(new Date(2026, 10, 24).toISOString());
    expect(q.to).toBeUndefined();
  });

  it("sends only the digits of the number", () => {
    expect(toQuery(emptyFilters(), "8 (916) 123-45-67").number).toBe("89161234567");
    expect(toQuery(emptyFilters(), "  ").number).toBeUndefined();
  });
});

describe("provider and account filters", () => {
  const acc = (account: string, provider: AccountStatus["provider"]) => ({ account, provider }) as AccountStatus;
  const list = [acc("mtt-1", "mtt"), acc("mor-1", "mor"), acc("mtt-2", "mtt")];

  it("are sent as they are, and count as filtering", () => {
    const f = { ...emptyFilters(), provider: "mor" as const, account: "mor-1" };
    expect(toQuery(f, "")).toEqual({ provider: "mor", account: "mor-1" });
    expect(isFiltered({ ...emptyFilters(), provider: "mtt" })).toBe(true);
    expect(isFiltered(emptyFilters())).toBe(false);
  });

  it("offer the accounts of the chosen provider", () => {
    expect(accountsFor(list, "mtt").map((a) => a.account)).toEqual(["mtt-1", "mtt-2"]);
    expect(accountsFor(list, "")).toHaveLength(3);
    expect(accountsFor(null, "mtt")).toEqual([]);
  });

  it("let go of an account of another provider when the provider changes", () => {
    const f = { ...emptyFilters(), account: "mtt-2" };
    expect(withProvider(f, "mtt", list)).toMatchObject({ provider: "mtt", account: "mtt-2" });
    expect(withProvider(f, "mor", list)).toMatchObject({ provider: "mor", account: "" });
    expect(withProvider(f, "", list)).toMatchObject({ provider: "", account: "mtt-2" });
  });
});
