// Formatting helpers: all dates and numbers go through Intl in the UI's locale.
import { locale } from "./i18n";

const tableTime = new Intl.DateTimeFormat(locale, {
  day: "2-digit",
  month: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

const fullDateTime = new Intl.DateTimeFormat(locale, {
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

const shortDateTime = new Intl.DateTimeFormat(locale, {
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const plainCost = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const currencyFormats = new Map<string, Intl.NumberFormat>();

/** `dd.mm HH:MM:SS` in local time (the table's compact form). */
export function formatTableTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts: Record<string, string> = {};
  for (const p of tableTime.formatToParts(d)) parts[p.type] = p.value;
  return `${parts.day}.${parts.month} ${parts.hour}:${parts.minute}:${parts.second}`;
}

export function formatFullTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : fullDateTime.format(d);
}

export function formatShortTime(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : shortDateTime.format(d);
}

/** Seconds as `m:ss` (or `h:mm:ss` past an hour). */
export function formatDuration(secs: number): string {
  if (!Number.isFinite(secs) || secs < 0) return "0:00";
  const s = Math.floor(secs);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function formatCost(cost: number | null, currency: string | null): string {
  if (cost === null || cost === undefined) return "—";
  if (currency) {
    let f = currencyFormats.get(currency);
    if (!f) {
      try {
        f = new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: "narrowSymbol" });
      } catch {
        return `${plainCost.format(cost)} ${currency}`;
      }
      currencyFormats.set(currency, f);
    }
    return f.format(cost);
  }
  return plainCost.format(cost);
}

export function formatInt(n: number): string {
  return integer.format(n);
}

/** A `YYYY-MM-DD` date input value as the UTC instant of that local midnight (plus `addDays`). */
export function dateInputToIso(value: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Only the digits of what the operator typed (`+7 (916) 12` → `791612`). */
export function digitsOnly(s: string): string {
  return s.replace(/\D+/g, "");
}
