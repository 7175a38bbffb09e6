// Errors in the user's words: what happened and what to do next, with everything the backend
// and the transport said kept in full for "details" (support needs the provider's exact answer).
import type { ErrorHint } from "../bindings/ErrorHint";
import type { UiError } from "./ui-error";
import { formatFullTime } from "./format";
import { providerName, t, tErrorCode, type MessageKey } from "./i18n";

export interface ErrorText {
  /** What happened, one short sentence. */
  title: string;
  /** The next step; null when there is nothing the user can do. */
  action: string | null;
  /** Every known fact, one per line, never shortened. */
  details: string;
}

/** `file, line L, column C` as far as known. */
export function configWhere(h: Extract<ErrorHint, { kind: "config_invalid" }>): string {
  if (h.line === null) return h.file;
  if (h.column === null) return t("err.where.line", { file: h.file, line: h.line });
  return t("err.where.lineColumn", { file: h.file, line: h.line, column: h.column });
}

function fromHint(h: ErrorHint): Pick<ErrorText, "title" | "action"> {
  switch (h.kind) {
    case "secret_missing": {
      const action =
        h.env && h.keyring
          ? t("err.secret_missing.both", { env: h.env, keyring: h.keyring })
          : h.env
            ? t("err.secret_missing.env", { env: h.env })
            : h.keyring
              ? t("err.secret_missing.keyring", { keyring: h.keyring })
              : t("err.secret_missing.none");
      return { title: t("err.secret_missing.title", { account: h.account }), action };
    }
    case "auth_failed":
      return { title: t("err.auth_failed.title", { account: h.account }), action: t("err.auth_failed.action") };
    case "unreachable":
      return { title: t("err.unreachable.title", { host: h.host }), action: t("err.unreachable.action") };
    case "rate_limited":
      return { title: t("err.rate_limited.title"), action: t("err.rate_limited.action") };
    case "host_not_allowed":
      return { title: t("err.host_not_allowed.title", { host: h.host }), action: t("err.host_not_allowed.action", { host: h.host }) };
    case "recording_gone":
      return { title: t("err.recording_gone.title"), action: t("err.recording_gone.action") };
    case "config_invalid":
      return { title: t("err.config_invalid.title"), action: t("err.config_invalid.action", { where: configWhere(h) }) };
    case "device_silent": {
      const since = h.since ? t("err.device_silent.since", { time: formatFullTime(h.since) }) : t("err.device_silent.never");
      return { title: t("err.device_silent.title", { account: h.account, since }), action: t("err.device_silent.action") };
    }
  }
}

function fromTransport(e: UiError): Pick<ErrorText, "title" | "action"> | null {
  const f = e.transport;
  if (!f) return null;
  switch (f.kind) {
    case "backend_unreachable":
      return { title: t("err.backend_unreachable.title"), action: t("err.backend_unreachable.action") };
    case "http_status": {
      const key: MessageKey =
        f.status === 401 || f.status === 403
          ? "err.http_status.auth"
          : f.status >= 500
            ? "err.http_status.server"
            : "err.http_status.other";
      return { title: t("err.http_status.title", { status: f.status }), action: t(key) };
    }
    case "bad_response":
      return { title: t("err.bad_response.title"), action: t("err.bad_response.action") };
    case "media":
      return { title: t("err.media.title"), action: t("err.media.action") };
  }
}

function fromCode(e: UiError): Pick<ErrorText, "title" | "action"> {
  if (e.code === "provider" && e.provider) {
    return { title: t("err.provider.titleNamed", { provider: providerName(e.provider.provider) }), action: t("err.provider.action") };
  }
  return { title: t(`err.${e.code}.title`), action: t(`err.${e.code}.action`) };
}

function hintFacts(h: ErrorHint): string[] {
  switch (h.kind) {
    case "secret_missing":
      return [
        `${t("err.d.account")}: ${h.account}`,
        ...(h.env ? [`${t("err.d.env")}: ${h.env}`] : []),
        ...(h.keyring ? [`${t("err.d.keyring")}: ${h.keyring}`] : []),
      ];
    case "auth_failed":
      return [`${t("err.d.account")}: ${h.account}`];
    case "unreachable":
    case "host_not_allowed":
      return [`${t("err.d.host")}: ${h.host}`];
    case "rate_limited":
    case "recording_gone":
      return [];
    case "config_invalid":
      return [`${t("err.d.file")}: ${configWhere(h)}`, `${t("err.d.parser")}:`, h.detail];
    case "device_silent":
      return [`${t("err.d.account")}: ${h.account}`, ...(h.since ? [h.since] : [])];
  }
}

/** The full record, for the expandable details and for copying into a support ticket. */
export function errorDetails(e: UiError): string {
  const lines = [`${t("err.d.code")}: ${e.code} (${tErrorCode(e.code)})`];
  if (e.hint) lines.push(`${t("err.d.hint")}: ${e.hint.kind}`, ...hintFacts(e.hint));
  if (e.provider) {
    lines.push(
      `${t("err.d.provider")}: ${providerName(e.provider.provider)}`,
      `${t("err.d.providerCode")}: ${e.provider.code}`,
      `${t("err.d.providerMessage")}: ${e.provider.message}`,
    );
  }
  const f = e.transport;
  if (f?.kind === "http_status") {
    lines.push(`HTTP: ${`${f.status} ${f.statusText}`.trim()}`);
    if (f.body) lines.push(`${t("err.d.body")}:`, f.body);
  } else if (f?.kind === "bad_response") {
    lines.push(`HTTP: ${f.status}`);
    if (f.body) lines.push(`${t("err.d.body")}:`, f.body);
  } else if (f?.kind === "media" && f.code !== null) {
    lines.push(`${t("err.d.mediaCode")}: ${f.code}`);
  }
  if (e.message) lines.push(`${t("err.d.message")}: ${e.message}`);
  return lines.join("\n");
}

export function describeError(e: UiError): ErrorText {
  // The hint is the most specific (it names the variable, the host, the file); the transport's
  // view comes next (the backend was not even reached); the bare code is the fallback.
  const main = (e.hint ? fromHint(e.hint) : null) ?? fromTransport(e) ?? fromCode(e);
  return { ...main, details: errorDetails(e) };
}

/** One line: what happened and what to do (e.g. under an account badge). */
export function errorSummary(e: UiError): string {
  const d = describeError(e);
  return d.action ? `${d.title}. ${d.action}` : d.title;
}

/** A multi-line tooltip: what happened, what to do, then the full details. */
export function errorTooltip(e: UiError): string {
  const d = describeError(e);
  return [d.title, d.action, "", d.details].filter((l) => l !== null).join("\n");
}
