import { describe, expect, it } from "vitest";
import { emptyFilters, toQuery } from "./filters";

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
