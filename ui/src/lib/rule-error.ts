// A rule edit the backend refused, in the user's words. The routing engine names the rule, the
// field and the problem in one English line (`forwarding plan 12, targets[0].timeout_secs:
// ring timeout 1 s is outside 5 to 600 s`); each part is read back here so that the editor can
// say it in the UI's language and mark the field. What is not recognised is shown as sent.
import type { UiError } from "./ui-error";
import { t, type MessageKey } from "./i18n";
import { formatPhone } from "./phone";

export interface RuleErrorParts {
  /** The rule named (`forwarding plan 12`), as sent. */
  rule: string;
  /** The field path (`targets[0].timeout_secs`), as sent. */
  field: string;
  /** The problem, as sent. */
  problem: string;
}

const RULE = /^(routing settings|blacklist entry -?\d+|VIP caller -?\d+|forwarding plan -?\d+), ([\w.[\]]+): (.+)$/s;

export function parseRuleError(message: string): RuleErrorParts | null {
  const m = RULE.exec(message.trim());
  return m ? { rule: m[1], field: m[2], problem: m[3] } : null;
}

/** A rule reference (`forwarding plan 12`) in the UI's language. */
export function ruleName(rule: string): string {
  if (rule === "routing settings") return t("rules.ref.settings");
  const m = /^(blacklist entry|VIP caller|forwarding plan) (-?\d+)$/.exec(rule);
  if (!m) return rule;
  const key: MessageKey = m[1] === "blacklist entry" ? "rules.ref.blacklist" : m[1] === "VIP caller" ? "rules.ref.vip" : "rules.ref.plan";
  return t(key, { id: m[2] });
}

const LEAF: Record<string, MessageKey> = {
  pattern: "rules.field.pattern",
  number: "rules.field.number",
  line: "rules.field.line",
  mode: "rules.field.mode",
  targets: "rules.field.targets",
  timeout_secs: "rules.field.timeout",
  days: "rules.field.days",
  start: "rules.field.start",
  end: "rules.field.end",
  time_zone: "rules.field.timeZone",
  id: "rules.field.id",
  name: "rules.field.name",
  expires_at: "rules.field.expires",
};

/** A field path (`after_hours.targets[1].timeout_secs`) in the UI's language. */
export function fieldName(path: string): string {
  const out: string[] = [];
  for (const part of path.split(".")) {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(part);
    if (!m) return path;
    const [, name, index] = m;
    if (name === "after_hours") out.push(t("rules.field.afterHours"));
    else if (name === "operator") out.push(t("rules.field.operator"));
    else if (name === "targets" && index !== undefined) out.push(t("rules.field.target", { n: Number(index) + 1 }));
    else if (name === "schedule" && index !== undefined) out.push(t("rules.field.slot", { n: Number(index) + 1 }));
    else if (LEAF[name]) out.push(t(LEAF[name]));
    else return path;
  }
  return out.join(", ");
}

const PROBLEMS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^unknown time zone "(.*)"/, (m) => t("rules.problem.timeZone", { value: m[1] })],
  [/^"(.*)" has no digits$/, (m) => t("rules.problem.noDigits", { value: m[1] })],
  [/^"(.*)" contains '(.+)'; /, (m) => t("rules.problem.stray", { value: m[1], found: m[2] })],
  [/^"(.*)" has (\d+) digits, more than/, (m) => t("rules.problem.tooLong", { value: m[1], digits: m[2] })],
  [/^"(.*)" is not a time HH:MM/, (m) => t("rules.problem.badTime", { value: m[1] })],
  [/^a weekly slot needs at least one day$/, () => t("rules.problem.noDays")],
  [/^at least one target is needed$/, () => t("rules.problem.noTargets")],
  [/^single mode rings one target, (\d+) are given$/, (m) => t("rules.problem.singleWithMany", { count: m[1] })],
  [/^ring timeout (\d+) s is outside (\d+) to (\d+) s$/, (m) => t("rules.problem.timeout", { secs: m[1], min: m[2], max: m[3] })],
  [/^id (-?\d+) is used by another rule/, (m) => t("rules.problem.duplicateId", { id: m[1] })],
  [/^(.+) is already taken by (.+)$/, (m) => t("rules.problem.duplicate", { number: formatPhone(m[1]), other: ruleName(m[2]) })],
];

/** The problem in the UI's language, or as sent when it is not one the editor knows. */
export function problemText(problem: string): string {
  for (const [re, say] of PROBLEMS) {
    const m = re.exec(problem);
    if (m) return say(m);
  }
  return problem;
}

/** What the editor shows for a refused edit: which field, and what is wrong with it. */
export interface RuleErrorText {
  title: string;
  action: string;
  /** The field to mark in the form (the backend's path), when known. */
  field: string | null;
}

/** The editor's words for an `invalid_input` error of a rule edit; null for any other error. */
export function describeRuleError(e: UiError): RuleErrorText | null {
  if (e.code !== "invalid_input" || e.transport) return null;
  const parts = parseRuleError(e.message);
  if (!parts) return { title: t("rules.err.title"), action: e.message, field: null };
  return {
    title: t("rules.err.titleNamed", { rule: ruleName(parts.rule) }),
    action: `${fieldName(parts.field)}: ${problemText(parts.problem)}`,
    field: parts.field,
  };
}
