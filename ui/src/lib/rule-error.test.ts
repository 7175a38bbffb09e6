import { describe, expect, it } from "vitest";
import { apiError } from "./api";
import { describeRuleError, fieldName, parseRuleError, problemText, ruleName } from "./rule-error";

// The UI's language in tests is English (navigator.language is not Russian under Node).

describe("rule errors", () => {
  it("reads the rule, the field and the problem the backend names", () => {
    expect(parseRuleError("forwarding plan 12, targets[0].timeout_secs: ring timeout 1 s is outside 5 to 600 s")).toEqual({
      rule: "forwarding plan 12",
      field: "targets[0].timeout_secs",
      problem: "ring timeout 1 s is outside 5 to 600 s",
    });
    expect(parseRuleError("no routing rule 5")).toBeNull();
  });

  it("says the field and the problem in the UI's words", () => {
    expect(fieldName("after_hours.targets[1].timeout_secs")).toBe("after hours, phone 2, ring time");
    expect(fieldName("schedule[0].start")).toBe("hours 1, start");
    expect(fieldName("operator.number")).toBe("operator, number");
    expect(fieldName("weird-field")).toBe("weird-field");
    expect(ruleName("blacklist entry 3")).toBe("Blacklist entry 3");
    expect(problemText('"12:75" is not a time HH:MM from 00:00 to 23:59 (24:00 allowed as an end)')).toBe(
      "“12:75” is not a time from 00:00 to 23:59 (24:00 is allowed as an end)",
    );
    expect(problemText("79990006666 is already taken by blacklist entry 2")).toBe("+7 999 000-66-66 already belongs to Blacklist entry 2");
    expect(problemText("495 is already taken by blacklist entry 2")).toBe("495 already belongs to Blacklist entry 2");
    expect(problemText(`"7916x" contains 'x'; a number has digits, spaces, a leading + and - ( ) .`)).toContain("contains “x”");
    expect(problemText("something new")).toBe("something new");
  });

  it("describes an invalid_input refusal, marks its field, and leaves other errors alone", () => {
    const e = apiError("invalid_input", "forwarding plan 12, targets[0].timeout_secs: ring timeout 1 s is outside 5 to 600 s");
    expect(describeRuleError(e)).toEqual({
      title: "Forwarding plan 12: not saved",
      action: "phone 1, ring time: 1 s is outside 5 to 600 s",
      field: "targets[0].timeout_secs",
    });
    expect(describeRuleError(apiError("invalid_input", "bad json"))).toEqual({ title: "The rule was not saved", action: "bad json", field: null });
    expect(describeRuleError(apiError("internal", "database is locked"))).toBeNull();
  });
});
