import { describe, expect, it } from "vitest";
import type { ForwardingPlan } from "../bindings/ForwardingPlan";
import {
  blockedToForm,
  emptyBlocked,
  emptyPlan,
  emptySlot,
  emptyVip,
  expiryInstant,
  formToBlocked,
  formToPlan,
  formToSettings,
  formToVip,
  move,
  normalizeTime,
  parseSeconds,
  planToForm,
  slotsToSchedule,
} from "./routing-forms";

const NOW = new Date(2026, 10, 24, 12, 30);

describe("normalizeTime", () => {
  it("reads HH:MM in the forms people type it", () => {
    expect(normalizeTime("09:00")).toBe("09:00");
    expect(normalizeTime("9:05")).toBe("09:05");
    expect(normalizeTime("9")).toBe("09:00");
    expect(normalizeTime("0930")).toBe("09:30");
    expect(normalizeTime(" 18.00 ")).toBe("18:00");
  });
  it("refuses what is no time of day; 24:00 only as an end", () => {
    expect(normalizeTime("25:00")).toBeNull();
    expect(normalizeTime("12:60")).toBeNull();
    expect(normalizeTime("noon")).toBeNull();
    expect(normalizeTime("")).toBeNull();
    expect(normalizeTime("24:00")).toBeNull();
    expect(normalizeTime("24:00", true)).toBe("24:00");
    expect(normalizeTime("24:30", true)).toBeNull();
  });
});

describe("parseSeconds", () => {
  it("takes whole seconds only", () => {
    expect(parseSeconds(" 20 ")).toBe(20);
    expect(parseSeconds("1")).toBe(1);
    expect(parseSeconds("2.5")).toBeNull();
    expect(parseSeconds("-3")).toBeNull();
    expect(parseSeconds("")).toBeNull();
  });
});

describe("blacklist form", () => {
  it("a new entry: trimmed, no end, created now", () => {
    const r = formToBlocked({ ...emptyBlocked(" +7 999 000-66-66 "), reason: " spam " }, NOW);
    expect(r).toEqual({
      ok: true,
      value: { id: 0, pattern: "+7 999 000-66-66", match_kind: "exact", reason: "spam", expires_at: null, created_at: NOW.toISOString() },
    });
  });

  it("needs a number", () => {
    expect(formToBlocked(emptyBlocked(), NOW)).toEqual({ ok: false, problems: { pattern: "rules.check.required" } });
  });

  it("an end date blocks through that day; with a time, until then", () => {
    expect(expiryInstant("24.11.2026", "", NOW)).toBe(new Date(2026, 10, 25).toISOString());
    expect(expiryInstant("2026-11-24", "18:30", NOW)).toBe(new Date(2026, 10, 24, 18, 30).toISOString());
    expect(expiryInstant("", "", NOW)).toBeNull();
    expect(expiryInstant("31.02.2026", "", NOW)).toBeUndefined();
  });

  it("refuses a bad date, a bad time and a time without a date", () => {
    const f = emptyBlocked("495");
    expect(formToBlocked({ ...f, expiresDate: "31.02.2026" }, NOW)).toMatchObject({ ok: false, problems: { expires_at: "rules.check.date" } });
    expect(formToBlocked({ ...f, expiresDate: "2026-12-01", expiresTime: "25:00" }, NOW)).toMatchObject({
      ok: false,
      problems: { expires_at: "rules.check.time" },
    });
    expect(formToBlocked({ ...f, expiresTime: "10:00" }, NOW)).toMatchObject({ ok: false, problems: { expires_at: "rules.check.dateForTime" } });
  });

  it("a stored entry comes back to the same form and the same entry", () => {
    const stored = {
      id: 7,
      pattern: "495",
      match_kind: "prefix" as const,
      reason: "landlines",
      expires_at: new Date(2026, 11, 2).toISOString(),
      created_at: "2026-11-01T10:00:00Z",
    };
    const f = blockedToForm(stored);
    // Until the end of 1 December, as it was typed.
    expect(f.expiresTime).toBe("");
    expect(expiryInstant(f.expiresDate, f.expiresTime, NOW)).toBe(stored.expires_at);
    expect(formToBlocked(f, NOW)).toEqual({ ok: true, value: stored });

    const timed = { ...stored, expires_at: new Date(2026, 11, 2, 8, 15).toISOString() };
    const g = blockedToForm(timed);
    expect(g.expiresTime).toBe("08:15");
    expect(formToBlocked(g, NOW)).toEqual({ ok: true, value: timed });
  });
});

describe("VIP form", () => {
  it("needs the caller's and the operator's numbers and whole seconds", () => {
    expect(formToVip({ ...emptyVip(), operator: { number: "", name: "", timeout: "x" } })).toEqual({
      ok: false,
      problems: { number: "rules.check.required", "operator.number": "rules.check.required", "operator.timeout_secs": "rules.check.seconds" },
    });
    expect(formToVip({ id: 3, number: "79161234567", name: " Ivanov ", operator: { number: "101", name: "Anna", timeout: "30" } })).toEqual({
      ok: true,
      value: { id: 3, number: "79161234567", name: "Ivanov", operator: { number: "101", name: "Anna", timeout_secs: 30 } },
    });
  });
});

describe("plan form", () => {
  const plan: ForwardingPlan = {
    id: 4,
    line: "74996480000",
    name: "Sales",
    mode: "sequential",
    targets: [
      { number: "101", name: "Anna", timeout_secs: 20 },
      { number: "102", name: "Boris", timeout_secs: 15 },
    ],
    schedule: [
      { days: ["mo", "tu", "we", "th", "fr"], start: "09:00", end: "18:00" },
      { days: ["sa"], start: "10:00", end: "24:00" },
    ],
    after_hours: { kind: "forward", mode: "single", targets: [{ number: "79160000000", name: "Duty", timeout_secs: 30 }] },
  };

  it("a stored plan comes back unchanged through the form", () => {
    expect(formToPlan(planToForm(plan))).toEqual({ ok: true, value: plan });
    const rejecting = { ...plan, schedule: [], after_hours: { kind: "reject" as const } };
    expect(formToPlan(planToForm(rejecting))).toEqual({ ok: true, value: rejecting });
  });

  it("the schedule is sent with days in week order and times as HH:MM, whatever was ticked first", () => {
    const problems = {};
    expect(slotsToSchedule([{ days: ["fr", "mo", "we"], start: "9", end: "1730" }, { days: ["su"], start: "22:00", end: "6:00" }], problems)).toEqual([
      { days: ["mo", "we", "fr"], start: "09:00", end: "17:30" },
      { days: ["su"], start: "22:00", end: "06:00" },
    ]);
    expect(problems).toEqual({});
  });

  it("names the fields the form cannot send, as the backend names them", () => {
    const f = {
      ...emptyPlan(),
      targets: [{ number: "101", name: "", timeout: "1.5" }],
      schedule: [{ ...emptySlot(), days: [] }, { ...emptySlot(), end: "25:00" }],
      afterKind: "forward" as const,
      afterTargets: [],
    };
    const r = formToPlan(f);
    expect(r).toEqual({
      ok: false,
      problems: {
        line: "rules.check.required",
        "targets[0].timeout_secs": "rules.check.seconds",
        "schedule[0].days": "rules.check.noDays",
        "schedule[1].end": "rules.check.time",
        "after_hours.targets": "rules.check.noTargets",
      },
    });
  });

  it("leaves ranges to the backend: a 1 s ring is sent as typed", () => {
    const r = formToPlan({ ...emptyPlan(), line: "74996480000", targets: [{ number: "101", name: "", timeout: "1" }] });
    expect(r.ok && r.value.targets[0].timeout_secs).toBe(1);
    expect(r.ok && r.value.after_hours).toEqual({ kind: "provider_default" });
  });

  it("moves a target up and down the ringing order", () => {
    expect(move(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
  });
});

describe("settings form", () => {
  it("an empty prompt means none", () => {
    expect(formToSettings({ time_zone: " Europe/Moscow ", reject_prompt: "  " })).toEqual({
      ok: true,
      value: { time_zone: "Europe/Moscow", reject_prompt: null },
    });
    expect(formToSettings({ time_zone: "", reject_prompt: "17" })).toEqual({ ok: false, problems: { time_zone: "rules.check.required" } });
  });
});
