import { describe, expect, it } from "vitest";
import { fitCount } from "./fit";

describe("fitCount", () => {
  it("takes all when all fit", () => {
    expect(fitCount([100, 100, 100], 312, 6, 40)).toBe(3);
    expect(fitCount([], 0, 6, 40)).toBe(0);
  });

  it("leaves room for the +N control when not all fit", () => {
    // 40 (+N) + 6 + 100 + 6 + 100 = 252 fits; a third does not.
    expect(fitCount([100, 100, 100], 300, 6, 40)).toBe(2);
    expect(fitCount([100, 100, 100], 251, 6, 40)).toBe(1);
  });

  it("may show only the +N control", () => {
    expect(fitCount([300, 100], 200, 6, 40)).toBe(0);
  });
});
