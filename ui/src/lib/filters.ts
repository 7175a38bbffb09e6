import type { AccountStatus } from "../bindings/AccountStatus";
import type { CallQuery } from "../bindings/CallQuery";
import type { Direction } from "../bindings/Direction";
import type { Outcome } from "../bindings/Outcome";
import type { ProviderKind } from "../bindings/ProviderKind";
import { isRangeValid } from "./dates";
import { dateInputToIso, digitsOnly } from "./format";

/** What the filters bar edits (raw input values). */
export interface Filters {
  /** A local calendar day, `YYYY-MM-DD`, or "" (see lib/dates.ts). */
  from: string;
  /** Inclusive, like `from`. */
  to: string;
  provider: ProviderKind | "";
  account: string;
  direction: Direction | "";
  outcome: Outcome | "";
  /** What is typed in the search box (only its digits are sent). */
  number: string;
}

export const DIRECTIONS: Direction[] = ["incoming", "outgoing"];
export const OUTCOMES: Outcome[] = ["answered", "missed", "busy", "failed", "forwarded"];

export function emptyFilters(): Filters {
  return { from: "", to: "", provider: "", account: "", direction: "", outcome: "", number: "" };
}

export function isFiltered(f: Filters): boolean {
  return !!(f.from || f.to || f.provider || f.account || f.direction || f.outcome || digitsOnly(f.number));
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
  if (f.provider) q.provider = f.provider;
  if (f.account) q.account = f.account;
  if (f.direction) q.direction = f.direction;
  if (f.outcome) q.outcome = f.outcome;
  const digits = digitsOnly(number);
  if (digits) q.number = digits;
  return q;
}

/** The accounts the account filter offers: those of the chosen provider, or all. */
export function accountsFor(list: readonly AccountStatus[] | null, provider: ProviderKind | ""): AccountStatus[] {
  return (list ?? []).filter((a) => !provider || a.provider === provider);
}

/**
 * The filters with another provider chosen. A chosen account of another provider is let go:
 * together they would match nothing, and the account list no longer offers it.
 */
export function withProvider(f: Filters, provider: ProviderKind | "", list: readonly AccountStatus[] | null): Filters {
  const keep = !f.account || accountsFor(list, provider).some((a) => a.account === f.account);
  return { ...f, provider, account: keep ? f.account : "" };
}
