import { describe, expect, it } from "vitest";
import { isRejection, routingText } from "./routing-text";

// English UI under Node: the sentences come back in the UI's English, numbers grouped.
describe("routingText", () => {
  it("says each decision the backend describes, numbers as operators read them", () => {
    expect(routingText("rejected: blacklisted (spam (demo))")).toBe("rejected: blacklisted (spam (demo))");
    expect(routingText("rejected: blacklisted")).toBe("rejected: blacklisted");
    expect(routingText("rejected: outside the line's hours")).toBe("rejected: outside the line's hours");
    expect(routingText("forwarded to 79160000001, 79160000002 (the line's plan)")).toBe(
      "forwarded to +7 916 000-00-01, +7 916 000-00-02 (the line's plan)",
    );
    expect(routingText("forwarded to 79160000001 (VIP Key client (demo))")).toBe("forwarded to +7 916 000-00-01 (VIP Key client (demo))");
    expect(routingText("forwarded to 79160000009 (after hours)")).toBe("forwarded to +7 916 000-00-09 (after hours)");
    expect(routingText("no rule: the provider's own forwarding")).toBe("no rule: the provider's own forwarding");
    expect(routingText("outside the line's hours: the provider's own forwarding")).toBe("outside the line's hours: the provider's own forwarding");
  });

  it("shows a sentence it does not know as sent", () => {
    expect(routingText("rules unavailable: fallback")).toBe("rules unavailable: fallback");
  });

  it("tells a rejection", () => {
    expect(isRejection("rejected: blacklisted (x)")).toBe(true);
    expect(isRejection("forwarded to 1 (after hours)")).toBe(false);
    expect(isRejection(null)).toBe(false);
  });
});
