// What the routing rules answered for a call, in the UI's language. The backend describes a
// decision in one English line (`forwarded to 79160000001, 79160000002 (the line's plan)`,
// `rejected: blacklisted (spam)`); the forms it writes are read back here, their numbers shown
// as operators read them. A line of another form is shown as sent.
import { t } from "./i18n";
import { formatPhone } from "./phone";

function why(text: string): string {
  if (text === "the line's plan") return t("routing.why.plan");
  if (text === "after hours") return t("routing.why.afterHours");
  const vip = /^VIP (.*)$/s.exec(text);
  if (vip) return t("routing.why.vip", { name: vip[1] });
  return text;
}

export function routingText(line: string): string {
  const s = line.trim();
  if (s === "rejected: blacklisted") return t("routing.blacklisted");
  let m = /^rejected: blacklisted \((.*)\)$/s.exec(s);
  if (m) return t("routing.blacklistedWhy", { reason: m[1] });
  if (s === "rejected: outside the line's hours") return t("routing.rejectedAfterHours");
  if (s === "no rule: the provider's own forwarding") return t("routing.noRule");
  if (s === "outside the line's hours: the provider's own forwarding") return t("routing.defaultAfterHours");
  m = /^forwarded to ([^()]+?) \((.*)\)$/s.exec(s);
  if (m) {
    const to = m[1]
      .split(/,\s*/)
      .map((n) => formatPhone(n))
      .join(", ");
    return t("routing.forwarded", { to, why: why(m[2]) });
  }
  return s;
}

/** Whether the rules turned the call away. */
export const isRejection = (line: string | null): boolean => !!line && line.trim().startsWith("rejected:");
