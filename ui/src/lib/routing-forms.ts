// The routing rules editor's forms: what the operator types, checked for what only the form can
// know (an empty field, a number of seconds, a time written HH:MM, a slot without days), and
// turned into the rules the backend takes. Everything else (ranges, duplicates, number forms)
// is the backend's to refuse: its answer names the rule and the field (see rule-error.ts).
import type { AfterHours } from "../bindings/AfterHours";
import type { BlockedNumber } from "../bindings/BlockedNumber";
import type { Day } from "../bindings/Day";
import type { ForwardingPlan } from "../bindings/ForwardingPlan";
import type { MatchKind } from "../bindings/MatchKind";
import type { RingMode } from "../bindings/RingMode";
import type { RoutingSettings } from "../bindings/RoutingSettings";
import type { Target } from "../bindings/Target";
import type { VipCaller } from "../bindings/VipCaller";
import type { WeeklySlot } from "../bindings/WeeklySlot";
import { addDays, formatDate, isoDay, parseDate } from "./dates";
import type { MessageKey } from "./i18n";

export const DAYS: Day[] = ["mo", "tu", "we", "th", "fr", "sa", "su"];
export const RING_MODES: RingMode[] = ["single", "sequential", "parallel"];
export const AFTER_HOURS_KINDS: AfterHours["kind"][] = ["reject", "forward", "provider_default"];
/** A new target's ring time, in seconds. */
export const DEFAULT_TIMEOUT = 20;

/** Why the form cannot be sent, by field path (the backend's paths: `targets[1].timeout_secs`). */
export type Problems = Record<string, MessageKey>;

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problems };

function done<T>(value: T, problems: Problems): Checked<T> {
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, value };
}

/**
 * `HH:MM` from what was typed (`9:00`, `0900`, `9`), or null when it is no time of day. An end
 * may be `24:00` (midnight at the end of the day).
 */
export function normalizeTime(text: string, end = false): string | null {
  const s = text.trim();
  let m = /^(\d{1,2})(?:[:.\s](\d{2}))?$/.exec(s);
  if (!m && /^\d{3,4}$/.test(s)) m = /^(\d{1,2})(\d{2})$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2] ?? "0");
  if (min > 59 || h > 24 || (h === 24 && (min !== 0 || !end))) return null;
  return `${String(h).padStart(2, "0")}:${String(min).padStart(2, "0")}`;
}

/** Whole seconds from a field, or null. */
export function parseSeconds(text: string): number | null {
  const s = text.trim();
  return /^\d{1,6}$/.test(s) ? Number(s) : null;
}

// ------------------------------------------------------------------ blacklist

export interface BlockedForm {
  id: number;
  pattern: string;
  match_kind: MatchKind;
  reason: string;
  /** The last day it applies, as typed (the locale's date form), or "" for no end. */
  expiresDate: string;
  /** The time on that day it stops, `HH:MM`, or "" for the end of the day. */
  expiresTime: string;
  /** Kept from the stored entry (a new one gets the time it is sent). */
  created_at: string | null;
}

export function emptyBlocked(pattern = ""): BlockedForm {
  return { id: 0, pattern, match_kind: "exact", reason: "", expiresDate: "", expiresTime: "", created_at: null };
}

export function blockedToForm(b: BlockedNumber): BlockedForm {
  let expiresDate = "";
  let expiresTime = "";
  if (b.expires_at) {
    const at = new Date(b.expires_at);
    if (!Number.isNaN(at.getTime())) {
      const midnight = at.getHours() === 0 && at.getMinutes() === 0 && at.getSeconds() === 0;
      // A block until the end of a day is stored as the next midnight: show that day.
      expiresDate = formatDate(isoDay(midnight ? addDays(at, -1) : at));
      if (!midnight) expiresTime = `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
    }
  }
  return { id: b.id, pattern: b.pattern, match_kind: b.match_kind, reason: b.reason, expiresDate, expiresTime, created_at: b.created_at };
}

/** The instant a block ends: the typed day's time, or the midnight after the day. */
export function expiryInstant(dateText: string, timeText: string, today: Date = new Date()): string | null | undefined {
  const day = parseDate(dateText, undefined, today);
  if (day === null) return undefined;
  if (day === "") return timeText.trim() ? undefined : null;
  const [y, m, d] = day.split("-").map(Number);
  if (!timeText.trim()) return new Date(y, m - 1, d + 1).toISOString();
  const time = normalizeTime(timeText);
  if (!time) return undefined;
  const [hh, mm] = time.split(":").map(Number);
  return new Date(y, m - 1, d, hh, mm).toISOString();
}

export function formToBlocked(f: BlockedForm, now: Date = new Date()): Checked<BlockedNumber> {
  const problems: Problems = {};
  if (!f.pattern.trim()) problems.pattern = "rules.check.required";
  let expires: string | null = null;
  const day = parseDate(f.expiresDate, undefined, now);
  if (day === null) problems.expires_at = "rules.check.date";
  else if (day === "" && f.expiresTime.trim()) problems.expires_at = "rules.check.dateForTime";
  else if (f.expiresTime.trim() && !normalizeTime(f.expiresTime)) problems.expires_at = "rules.check.time";
  else expires = expiryInstant(f.expiresDate, f.expiresTime, now) ?? null;
  return done(
    {
      id: f.id,
      pattern: f.pattern.trim(),
      match_kind: f.match_kind,
      reason: f.reason.trim(),
      expires_at: expires,
      created_at: f.created_at ?? now.toISOString(),
    },
    problems,
  );
}

// ------------------------------------------------------------------ targets

export interface TargetForm {
  number: string;
  name: string;
  /** Seconds, as typed. */
  timeout: string;
}

export const emptyTarget = (): TargetForm => ({ number: "", name: "", timeout: String(DEFAULT_TIMEOUT) });

export const targetToForm = (t: Target): TargetForm => ({ number: t.number, name: t.name, timeout: String(t.timeout_secs) });

function checkTarget(f: TargetForm, path: string, problems: Problems): Target {
  if (!f.number.trim()) problems[`${path}.number`] = "rules.check.required";
  const secs = parseSeconds(f.timeout);
  if (secs === null) problems[`${path}.timeout_secs`] = "rules.check.seconds";
  return { number: f.number.trim(), name: f.name.trim(), timeout_secs: secs ?? 0 };
}

function checkTargets(list: TargetForm[], path: string, problems: Problems): Target[] {
  if (list.length === 0) problems[path] = "rules.check.noTargets";
  return list.map((t, i) => checkTarget(t, `${path}[${i}]`, problems));
}

// ------------------------------------------------------------------ VIP callers

export interface VipForm {
  id: number;
  number: string;
  name: string;
  operator: TargetForm;
}

export const emptyVip = (number = ""): VipForm => ({ id: 0, number, name: "", operator: emptyTarget() });

export const vipToForm = (v: VipCaller): VipForm => ({ id: v.id, number: v.number, name: v.name, operator: targetToForm(v.operator) });

export function formToVip(f: VipForm): Checked<VipCaller> {
  const problems: Problems = {};
  if (!f.number.trim()) problems.number = "rules.check.required";
  const operator = checkTarget(f.operator, "operator", problems);
  return done({ id: f.id, number: f.number.trim(), name: f.name.trim(), operator }, problems);
}

// ------------------------------------------------------------------ forwarding plans

export interface SlotForm {
  /** Checked days, Monday first. */
  days: Day[];
  start: string;
  end: string;
}

export interface PlanForm {
  id: number;
  line: string;
  name: string;
  mode: RingMode;
  targets: TargetForm[];
  /** Empty: always open. */
  schedule: SlotForm[];
  afterKind: AfterHours["kind"];
  afterMode: RingMode;
  afterTargets: TargetForm[];
}

export const emptySlot = (): SlotForm => ({ days: ["mo", "tu", "we", "th", "fr"], start: "09:00", end: "18:00" });

export function emptyPlan(): PlanForm {
  return {
    id: 0,
    line: "",
    name: "",
    mode: "sequential",
    targets: [emptyTarget()],
    schedule: [],
    afterKind: "provider_default",
    afterMode: "single",
    afterTargets: [],
  };
}

export function planToForm(p: ForwardingPlan): PlanForm {
  const after = p.after_hours;
  return {
    id: p.id,
    line: p.line,
    name: p.name,
    mode: p.mode,
    targets: p.targets.map(targetToForm),
    schedule: p.schedule.map((s) => ({ days: DAYS.filter((d) => s.days.includes(d)), start: s.start, end: s.end })),
    afterKind: after.kind,
    afterMode: after.kind === "forward" ? after.mode : "single",
    afterTargets: after.kind === "forward" ? after.targets.map(targetToForm) : [],
  };
}

/** The schedule as the backend takes it: days in week order, times `HH:MM`. */
export function slotsToSchedule(slots: SlotForm[], problems: Problems = {}): WeeklySlot[] {
  return slots.map((s, i) => {
    const days = DAYS.filter((d) => s.days.includes(d));
    if (days.length === 0) problems[`schedule[${i}].days`] = "rules.check.noDays";
    const start = normalizeTime(s.start);
    const end = normalizeTime(s.end, true);
    if (!start) problems[`schedule[${i}].start`] = "rules.check.time";
    if (!end) problems[`schedule[${i}].end`] = "rules.check.time";
    return { days, start: start ?? s.start.trim(), end: end ?? s.end.trim() };
  });
}

export function formToPlan(f: PlanForm): Checked<ForwardingPlan> {
  const problems: Problems = {};
  if (!f.line.trim()) problems.line = "rules.check.required";
  const targets = checkTargets(f.targets, "targets", problems);
  const schedule = slotsToSchedule(f.schedule, problems);
  let after_hours: AfterHours;
  if (f.afterKind === "forward") {
    after_hours = { kind: "forward", mode: f.afterMode, targets: checkTargets(f.afterTargets, "after_hours.targets", problems) };
  } else {
    after_hours = { kind: f.afterKind };
  }
  return done({ id: f.id, line: f.line.trim(), name: f.name.trim(), mode: f.mode, targets, schedule, after_hours }, problems);
}

/** Moves item `i` of a list by `by` places (a target up or down the ringing order). */
export function move<T>(list: T[], i: number, by: number): T[] {
  const j = i + by;
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return list;
  const out = [...list];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

// ------------------------------------------------------------------ settings

export interface SettingsForm {
  time_zone: string;
  reject_prompt: string;
}

export const settingsToForm = (s: RoutingSettings): SettingsForm => ({ time_zone: s.time_zone, reject_prompt: s.reject_prompt ?? "" });

export function formToSettings(f: SettingsForm): Checked<RoutingSettings> {
  const problems: Problems = {};
  if (!f.time_zone.trim()) problems.time_zone = "rules.check.required";
  const prompt = f.reject_prompt.trim();
  return done({ time_zone: f.time_zone.trim(), reject_prompt: prompt || null }, problems);
}
