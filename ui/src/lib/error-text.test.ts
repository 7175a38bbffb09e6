import { afterEach, describe, expect, it, vi } from "vitest";
import type { ErrorHint } from "../bindings/ErrorHint";
import type { UiError } from "./ui-error";

const LONG = `{"error":"unauthorized","error_description":"Bad credentials for customer 7701234567: ${"x".repeat(300)}"}`;

function err(over: Partial<UiError> = {}): UiError {
  return { code: "provider", message: 'account "mtt-sales": HTTP 401: ' + LONG, provider: null, hint: null, ...over };
}

/** error-text in the given UI language (chosen once, at import, from navigator.language). */
async function inLanguage(language: string) {
  vi.resetModules();
  vi.stubGlobal("navigator", { language });
  return import("./error-text");
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const HINTS: [ErrorHint, RegExp, RegExp][] = [
  [
    { kind: "secret_missing", account: "mtt-sales", env: "CALLBOARD_MTT_SALES_PASSWORD", keyring: null },
    /mtt-sales/,
    /переменную окружения CALLBOARD_MTT_SALES_PASSWORD/,
  ],
  [
    { kind: "secret_missing", account: "mtt-sales", env: null, keyring: "callboard/mtt-sales" },
    /mtt-sales/,
    /callboard\/mtt-sales.*keyring/,
  ],
  [
    { kind: "secret_missing", account: "a", env: "CALLBOARD_A", keyring: "callboard/a" },
    /не задан пароль/,
    /CALLBOARD_A или .*callboard\/a/,
  ],
  [{ kind: "auth_failed", account: "mtt-sales" }, /логин или пароль аккаунта mtt-sales/, /Проверьте логин и пароль/],
  [{ kind: "unreachable", host: "api.mtt.ru" }, /связаться с api\.mtt\.ru/, /интернет/],
  [{ kind: "rate_limited" }, /ограничил/, /повторит/],
  [{ kind: "host_not_allowed", host: "rec.example.com" }, /rec\.example\.com/, /recording_hosts/],
  [{ kind: "recording_gone" }, /больше нет этой записи/, /нельзя/],
  [
    { kind: "config_invalid", file: "/etc/callboard.toml", line: 12, column: 5, detail: "expected `=`" },
    /файле настроек/,
    /\/etc\/callboard\.toml, строка 12, столбец 5/,
  ],
];

describe("describeError (Russian)", () => {
  it.each(HINTS)("hint %j: says what happened and what to do", async (hint, title, action) => {
    const { describeError } = await inLanguage("ru-RU");
    const d = describeError(err({ hint }));
    expect(d.title).toMatch(title);
    expect(d.action).toMatch(action);
    expect(d.details).toContain(`Подсказка: ${hint.kind}`);
  });

  it.each([
    ["not_found", /Не найдено/],
    ["invalid_input", /не принят/],
    ["provider", /Провайдер вернул ошибку/],
    ["network", /Нет связи с провайдером/],
    ["config", /Ошибка в настройках/],
    ["internal", /Внутренняя ошибка/],
  ] as const)("code %s without a hint", async (code, title) => {
    const { describeError } = await inLanguage("ru-RU");
    const d = describeError(err({ code }));
    expect(d.title).toMatch(title);
    expect(d.action).toBeTruthy();
  });

  it("keeps the provider's code and whole message in the details, never shortened", async () => {
    const { describeError } = await inLanguage("ru-RU");
    const d = describeError(err({ provider: { provider: "mtt", code: "HTTP 401", message: LONG } }));
    expect(d.title).toBe("Провайдер MTT вернул ошибку");
    expect(d.details).toContain("Код провайдера: HTTP 401");
    expect(d.details).toContain(`Ответ провайдера: ${LONG}`);
    expect(d.details).toContain(`Сообщение: account "mtt-sales": HTTP 401: ${LONG}`);
  });

  it("puts the parser's message of a broken config in the details in full", async () => {
    const { describeError } = await inLanguage("ru-RU");
    const detail = "TOML parse error at line 3, column 9\n  |\n3 | token = \n  |         ^\nstring values must be quoted";
    const d = describeError(err({ code: "config", hint: { kind: "config_invalid", file: "c.toml", line: 3, column: null, detail } }));
    expect(d.action).toBe("Исправьте c.toml, строка 3 и перезапустите callboard.");
    expect(d.details).toContain(detail);
  });

  it("explains failures of the link to the server itself", async () => {
    const { describeError } = await inLanguage("ru-RU");
    const down = describeError(err({ code: "network", transport: { kind: "backend_unreachable", detail: "Failed to fetch" } }));
    expect(down.title).toBe("Нет связи с приложением callboard");
    const http = describeError(
      err({ code: "invalid_input", transport: { kind: "http_status", status: 401, statusText: "Unauthorized", body: LONG } }),
    );
    expect(http.title).toBe("Сервер ответил ошибкой HTTP 401");
    expect(http.action).toMatch(/Доступ запрещён/);
    expect(http.details).toContain("HTTP: 401 Unauthorized");
    expect(http.details).toContain(LONG);
    const proxy = describeError(err({ code: "internal", transport: { kind: "http_status", status: 502, statusText: "", body: "<html>" } }));
    expect(proxy.action).toMatch(/Сбой на сервере/);
    const garbled = describeError(err({ code: "internal", transport: { kind: "bad_response", status: 200, body: "<!doctype html>" } }));
    expect(garbled.title).toMatch(/не может прочитать/);
  });

  it("prefers the backend's hint to the bare code", async () => {
    const { describeError } = await inLanguage("ru-RU");
    const d = describeError(err({ code: "network", hint: { kind: "unreachable", host: "h" } }));
    expect(d.title).toBe("Не удаётся связаться с h");
  });

  it("summary and tooltip carry the next step (for account badges)", async () => {
    const { errorSummary, errorTooltip } = await inLanguage("ru-RU");
    const e = err({ hint: { kind: "auth_failed", account: "mtt-sales" }, provider: { provider: "mtt", code: "HTTP 401", message: LONG } });
    expect(errorSummary(e)).toMatch(/^Провайдер не принял логин или пароль аккаунта mtt-sales\. Проверьте/);
    expect(errorTooltip(e)).toContain(LONG);
  });
});

describe("describeError (English)", () => {
  it("speaks English to an English browser", async () => {
    const { describeError } = await inLanguage("en-US");
    const d = describeError(err({ hint: { kind: "secret_missing", account: "a", env: "CALLBOARD_A", keyring: null } }));
    expect(d.title).toBe("No password or key is set for account a");
    expect(d.action).toBe("Set the environment variable CALLBOARD_A and restart callboard.");
    expect(d.details).toContain("Hint: secret_missing");
  });
});
