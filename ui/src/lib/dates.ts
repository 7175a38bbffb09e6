// Calendar dates typed by hand in the filters bar, independent of the browser's date input
// (WebKitGTK's overwrites segments as one types, and shows today's date when empty).
//
// A date is kept as `YYYY-MM-DD` of the local calendar ("" when unset): `toQuery` turns it
// into the UTC instant of that local midnight, so days are the operator's days.
//
// Shown forms: Russian `дд.мм.гггг` (`24.11.2026`), as operators write dates. English uses ISO
// `yyyy-mm-dd`: the UI's English is read by British and American users alike, and
// `01/02/2026` means different days to them, while `2026-02-01` means one.
import { lang } from "./i18n";

/** Which part comes first in a typed date without a 4-digit year in front. */
export type DateOrder = "dmy" | "ymd";

export const dateOrder: DateOrder = lang === "ru" ? "dmy" : "ymd";

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** The local calendar day of `d` as `YYYY-MM-DD`. */
export function isoDay(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `days` calendar days after (or before) the local day of `d`. */
export function addDays(d: Date, days: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days);
}

/** A real calendar day as `YYYY-MM-DD`, or null (`31.02` is not a day). */
function makeDay(y: number, m: number, d: number): string | null {
  if (y < 1970 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(y, m - 1, d);
  if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) return null;
  return isoDay(date);
}

/** Two-digit years are this century's (`1.2.26` is 2026). */
const fullYear = (y: string): number => (y.length <= 2 ? 2000 + Number(y) : Number(y));

/**
 * Reads a typed date leniently: `24.11.2026`, `1.2.2026`, `1/2/26`, `24.11` (this year),
 * `24112026` (Russian) or `20261124` (English), and `2026-11-24` in any locale (a 4-digit
 * first part is always the year). Returns `YYYY-MM-DD`, "" for an empty input (no date), or
 * null when the text is not a date.
 */
export function parseDate(text: string, order: DateOrder = dateOrder, today: Date = new Date()): string | null {
  const s = text.trim();
  if (!s) return "";
  if (/^\d+$/.test(s)) {
    if (s.length === 8) {
      return order === "dmy"
        ? makeDay(Number(s.slice(4)), Number(s.slice(2, 4)), Number(s.slice(0, 2)))
        : makeDay(Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6)));
    }
    if (s.length === 6 && order === "dmy") {
      return makeDay(fullYear(s.slice(4)), Number(s.slice(2, 4)), Number(s.slice(0, 2)));
    }
    return null;
  }
  const parts = s.split(/[\s./,-]+/).filter(Boolean);
  if (parts.some((p) => !/^\d+$/.test(p))) return null;
  if (parts.length === 3 && parts[0].length === 4) {
    return makeDay(Number(parts[0]), Number(parts[1]), Number(parts[2]));
  }
  if (parts.length === 3 && parts[0].length <= 2 && (parts[2].length === 2 || parts[2].length === 4)) {
    return makeDay(fullYear(parts[2]), Number(parts[1]), Number(parts[0]));
  }
  if (parts.length === 2 && parts[0].length <= 2 && parts[1].length <= 2) {
    // Day and month only, in the order the locale writes them.
    const [d, m] = order === "dmy" ? parts : [parts[1], parts[0]];
    return makeDay(today.getFullYear(), Number(m), Number(d));
  }
  return null;
}

/** `YYYY-MM-DD` in the locale's typed form ("" stays ""). */
export function formatDate(value: string, order: DateOrder = dateOrder): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return value;
  return order === "dmy" ? `${m[3]}.${m[2]}.${m[1]}` : value;
}

/** An unset end of the range is open, so only two set dates can be the wrong way round. */
export function isRangeValid(from: string, to: string): boolean {
  return !from || !to || from <= to;
}

export type Preset = "today" | "yesterday" | "7d" | "30d";
export const PRESETS: Preset[] = ["today", "yesterday", "7d", "30d"];

/** The range a preset stands for, both ends inclusive local days. */
export function presetRange(p: Preset, now: Date = new Date()): { from: string; to: string } {
  const today = isoDay(now);
  switch (p) {
    case "today":
      return { from: today, to: today };
    case "yesterday": {
      const y = isoDay(addDays(now, -1));
      return { from: y, to: y };
    }
    case "7d":
      return { from: isoDay(addDays(now, -6)), to: today };
    case "30d":
      return { from: isoDay(addDays(now, -29)), to: today };
  }
}

/** The preset a range equals, if any (to mark its button as the one in force). */
export function matchingPreset(from: string, to: string, now: Date = new Date()): Preset | null {
  return PRESETS.find((p) => {
    const r = presetRange(p, now);
    return r.from === from && r.to === to;
  }) ?? null;
}
