import type { CallQuery } from "../bindings/CallQuery";
import type { Direction } from "../bindings/Direction";
import type { Outcome } from "../bindings/Outcome";
import { isRangeValid } from "./dates";
import { dateInputToIso, digitsOnly } from "./format";

/** What the filters bar edits (raw input values). */
export interface Filters {
  /** A local calendar day, `YYYY-MM-DD`, or "" (see lib/dates.ts). */
  from: string;
  /** Inclusive, like `from`. */
  to: string;
  account: string;
  direction: Direction | "";
  outcome: Outcome | "";
  /** What is typed in the search box (only its digits are sent). */
  number: string;
}

export const DIRECTIONS: Direction[] = ["incoming", "outgoing"];
export const OUTCOMES: Outcome[] = ["answered", "missed", "busy", "failed", "forwarded"];

export function emptyFilters(): Filters {
  return { from: "", to: "", account: "", direction: "", outcome: "", number: "" };
}

export function isFiltered(f: Filters): boolean {
  return !!(f.from || f.to || f.account || f.direction || f.outcome || digitsOnly(f.number));
}

/** The query for the filters; `number` is passed separately because it is debounced. */
export function toQuery(f: Filters, number: string): CallQuery {
  const q: CallQuery = {};
  const from = dateInputToIso(f.from);
  // "to" is inclusive in the UI: everything before the next local midnight. The filters bar
  // refuses a range the wrong way round; should one get here anyway, its end is left out
  // rather than sent (the API rejects it).
  const to = isRangeValid(f.from, f.to) ? dateInputToIso(f.to, 1) : undefined;
  if (from) q.from = from;
  if (to) q.to = to;
  if (f.account) q.account = f.account;
  if (f.direction) q.direction = f.direction;
  if (f.outcome) q.outcome = f.outcome;
  const digits = digitsOnly(number);
  if (digits) q.number = digits;
  return q;
}
