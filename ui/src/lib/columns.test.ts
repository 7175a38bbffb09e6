import { describe, expect, it } from "vitest";
import { STEPS, planColumns } from "./columns";

const NUM = 150;

describe("planColumns", () => {
  it("shows every column when there is room", () => {
    const p = planColumns(2000, NUM);
    expect(p.dropped.size).toBe(0);
    expect(p.template).toContain(`minmax(${NUM}px, ${NUM + 48}px) minmax(${NUM}px, ${NUM + 48}px)`);
    expect(p.template).toMatch(/86px minmax\(110px, 1fr\) 30px$/);
  });

  it("always keeps the provider badge", () => {
    for (const w of [300, 700, 1000, 2000]) expect(planColumns(w, NUM).template).toMatch(/ 86px (minmax\(110px, 1fr\) )?30px$/);
  });

  it("drops columns in order as the width shrinks, never the numbers", () => {
    const full = planColumns(10_000, NUM).minWidth;
    let last = -1;
    for (let w = full; w >= 300; w -= 10) {
      const p = planColumns(w, NUM);
      expect(p.template).toMatch(new RegExp(`minmax\\(${NUM}px, [^)]+\\) minmax\\(${NUM}px, `));
      // Cumulative: what is dropped is always a prefix of STEPS.
      expect([...p.dropped]).toEqual(STEPS.slice(0, p.dropped.size));
      expect(p.dropped.size).toBeGreaterThanOrEqual(last);
      last = p.dropped.size;
      if (p.dropped.size < STEPS.length) expect(p.minWidth).toBeLessThanOrEqual(w);
    }
    expect(last).toBe(STEPS.length);
  });

  it("gives way to cost first", () => {
    const full = planColumns(10_000, NUM).minWidth;
    const p = planColumns(full - 1, NUM);
    expect([...p.dropped]).toEqual(["cost"]);
  });

  it("widens the number columns to the measured number", () => {
    expect(planColumns(2000, 190).template).toContain("minmax(190px, 238px) minmax(190px, 238px)");
    // Without the account column the numbers take the spare width.
    expect(planColumns(700, 190).template).toContain("minmax(190px, 1fr) minmax(190px, 1fr)");
  });
});
