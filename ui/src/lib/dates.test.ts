import { describe, expect, it } from "vitest";
import { addDays, formatDate, isoDay, isRangeValid, matchingPreset, parseDate, presetRange } from "./dates";

// Local time throughout: these are calendar days, whatever the machine's zone.
const now = new Date(2026, 10, 24, 15, 30); // 24 Nov 2026

describe("parseDate (Russian order)", () => {
  const p = (s: string) => parseDate(s, "dmy", now);

  it("reads the full form", () => {
    expect(p("24.11.2026")).toBe("2026-11-24");
    expect(p(" 01.02.2026 ")).toBe("2026-02-01");
  });

  it("is lenient about zeros, separators, short years and a missing year", () => {
    expect(p("1.2.2026")).toBe("2026-02-01");
    expect(p("01022026")).toBe("2026-02-01");
    expect(p("010226")).toBe("2026-02-01");
    expect(p("1/2/26")).toBe("2026-02-01");
    expect(p("1-2-2026")).toBe("2026-02-01");
    expect(p("1 2 2026")).toBe("2026-02-01");
    expect(p("24.11")).toBe("2026-11-24");
    expect(p("2026-02-01")).toBe("2026-02-01");
  });

  it("reads an empty field as no date", () => {
    expect(p("")).toBe("");
    expect(p("   ")).toBe("");
  });

  it("refuses what is not a day", () => {
    for (const s of ["31.02.2026", "29.02.2026", "32.01.2026", "1.13.2026", "0.1.2026", "abc", "24.11.20266", "2411", "1.2.3.4", "24.11.1900", "дд.мм.гггг"]) {
      expect(p(s), s).toBeNull();
    }
    expect(p("29.02.2028")).toBe("2028-02-29");
  });
});

describe("parseDate (ISO order)", () => {
  const p = (s: string) => parseDate(s, "ymd", now);

  it("reads ISO and compact ISO", () => {
    expect(p("2026-11-24")).toBe("2026-11-24");
    expect(p("2026-2-1")).toBe("2026-02-01");
    expect(p("20261124")).toBe("2026-11-24");
  });

  it("still reads a dotted day-first date, and month-day without a year", () => {
    expect(p("24.11.2026")).toBe("2026-11-24");
    expect(p("11-24")).toBe("2026-11-24");
  });

  it("refuses the American order rather than guessing", () => {
    expect(p("11/24/2026")).toBeNull();
    expect(p("01022026")).toBeNull();
  });
});

describe("formatDate", () => {
  it("writes the locale's form", () => {
    expect(formatDate("2026-02-01", "dmy")).toBe("01.02.2026");
    expect(formatDate("2026-02-01", "ymd")).toBe("2026-02-01");
    expect(formatDate("", "dmy")).toBe("");
  });

  it("round-trips through parseDate", () => {
    for (const v of ["2026-01-01", "2026-12-31", "2024-02-29"]) {
      expect(parseDate(formatDate(v, "dmy"), "dmy", now)).toBe(v);
      expect(parseDate(formatDate(v, "ymd"), "ymd", now)).toBe(v);
    }
  });
});

describe("days and ranges", () => {
  it("counts calendar days across month and year ends", () => {
    expect(isoDay(now)).toBe("2026-11-24");
    expect(isoDay(addDays(new Date(2026, 0, 1), -1))).toBe("2025-12-31");
    expect(isoDay(addDays(new Date(2026, 2, 1), -1))).toBe("2026-02-28");
  });

  it("accepts open and ordered ranges only", () => {
    expect(isRangeValid("", "")).toBe(true);
    expect(isRangeValid("2026-11-24", "")).toBe(true);
    expect(isRangeValid("", "2026-11-24")).toBe(true);
    expect(isRangeValid("2026-11-24", "2026-11-24")).toBe(true);
    expect(isRangeValid("2026-11-24", "2026-11-23")).toBe(false);
    expect(isRangeValid("2026-09-30", "2026-10-01")).toBe(true);
  });

  it("gives the presets' inclusive ranges", () => {
    expect(presetRange("today", now)).toEqual({ from: "2026-11-24", to: "2026-11-24" });
    expect(presetRange("yesterday", now)).toEqual({ from: "2026-11-23", to: "2026-11-23" });
    expect(presetRange("7d", now)).toEqual({ from: "2026-11-18", to: "2026-11-24" });
    expect(presetRange("30d", now)).toEqual({ from: "2026-10-26", to: "2026-11-24" });
    expect(presetRange("7d", new Date(2026, 0, 3))).toEqual({ from: "2025-12-28", to: "2026-01-03" });
  });

  it("recognises a preset's range", () => {
    expect(matchingPreset("2026-11-18", "2026-11-24", now)).toBe("7d");
    expect(matchingPreset("2026-11-24", "2026-11-24", now)).toBe("today");
    expect(matchingPreset("2026-11-17", "2026-11-24", now)).toBeNull();
    expect(matchingPreset("", "", now)).toBeNull();
  });
});
