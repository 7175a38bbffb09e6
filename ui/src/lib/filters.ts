import type { CallQuery } from "../bindings/CallQuery";
import type { Direction } from "../bindings/Direction";
import type { Outcome } from "../bindings/Outcome";
import { dateInputToIso, digitsOnly } from "./format";

/** What the filters bar edits (raw input values). */
export interface Filters {
  /** `YYYY-MM-DD` or "" */
  from: string;
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
  // "to" is inclusive in the UI: everything before the next local midnight.
  const to = dateInputToIso(f.to, 1);
  if (from) q.from = from;
  if (to) q.to = to;
  if (f.account) q.account = f.account;
  if (f.direction) q.direction = f.direction;
  if (f.outcome) q.outcome = f.outcome;
  const digits = digitsOnly(number);
  if (digits) q.number = digits;
  return q;
}
