// Russian and English strings; the language is chosen once from `navigator.language`.
import type { Direction } from "../bindings/Direction";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { Outcome } from "../bindings/Outcome";
import type { SyncState } from "../bindings/SyncState";

export type Lang = "ru" | "en";

const en = {
  "app.demo": "demo",
  "app.demoTitle": "Demo mode: data comes from the built-in provider simulators",
  "app.version": "v{version}",

  "accounts.none": "No accounts configured",
  "accounts.synced": "{count} calls stored",
  "accounts.lastSuccess": "Last sync: {time}",
  "accounts.nextAttempt": "Next attempt: {time}",

  "state.ok": "ok",
  "state.syncing": "syncing",
  "state.error": "error",
  "state.idle": "idle",
  "state.unsupported": "unsupported",

  "filters.from": "From",
  "filters.to": "To",
  "filters.account": "Account",
  "filters.allAccounts": "All accounts",
  "filters.direction": "Direction",
  "filters.allDirections": "Any direction",
  "filters.outcome": "Outcome",
  "filters.allOutcomes": "Any outcome",
  "filters.number": "Number",
  "filters.numberPlaceholder": "Number or digits",
  "filters.searchHint": "Press / to search, Esc to clear",
  "filters.reset": "Reset",

  "dir.incoming": "incoming",
  "dir.outgoing": "outgoing",

  "outcome.answered": "answered",
  "outcome.missed": "missed",
  "outcome.busy": "busy",
  "outcome.failed": "failed",
  "outcome.forwarded": "forwarded",

  "col.time": "Time",
  "col.direction": "Direction",
  "col.outcome": "Outcome",
  "col.caller": "Caller",
  "col.callee": "Callee",
  "col.talk": "Talk",
  "col.cost": "Cost",
  "col.account": "Account",
  "col.recording": "Recording",

  "table.empty": "No calls",
  "table.emptyFiltered": "No calls match the filters",
  "table.loaded": "{count} calls loaded",
  "table.all": "all loaded",
  "table.loadingMore": "loading more…",
  "table.scrollForMore": "scroll for more",
  "table.hasRecording": "Has a recording",
  "table.keys": "↑↓ select · Enter open",

  "detail.empty": "Select a call to see its details",
  "detail.loading": "Loading call…",
  "detail.started": "Started",
  "detail.direction": "Direction",
  "detail.outcome": "Outcome",
  "detail.caller": "Caller",
  "detail.callee": "Callee",
  "detail.ring": "Ringing",
  "detail.talk": "Talk",
  "detail.total": "Total",
  "detail.cost": "Cost",
  "detail.account": "Account",
  "detail.provider": "Provider",
  "detail.providerCallId": "Provider call ID",
  "detail.id": "Local ID",
  "detail.details": "Provider details",
  "detail.noDetails": "No provider-specific fields",
  "detail.recording": "Recording",
  "detail.noRecording": "No recording for this call",
  "detail.close": "Close",

  "player.loading": "Fetching the recording from the provider…",
  "player.play": "Play",
  "player.pause": "Pause",
  "player.seek": "Position",
  "player.speed": "Speed",
  "player.part": "part {n}/{total}",
  "player.download": "Download",
  "player.downloadPart": "Part {n}",
  "player.prevPart": "Previous part",
  "player.nextPart": "Next part",
  "player.keys": "Space play/pause · ←→ 5 s",
  "player.audioError": "The audio could not be played",

  "error.title": "Error",
  "error.provider": "Provider {provider} answered {code}: {message}",
  "error.dismiss": "Dismiss",
  "error.retry": "Retry",
  "error.code.not_found": "not found",
  "error.code.invalid_input": "invalid input",
  "error.code.provider": "provider error",
  "error.code.network": "network error",
  "error.code.config": "configuration error",
  "error.code.internal": "internal error",
  "error.loadCalls": "Could not load calls",
  "error.loadCall": "Could not load the call",
  "error.loadRecording": "Could not load the recording",
  "error.loadAccounts": "Could not load account statuses",
  "error.loadInfo": "Could not reach the backend",
  "error.fetchFailed": "The backend did not answer",
  "error.badResponse": "The backend sent an unreadable answer",
  "error.http": "HTTP {status}",
};

export type MessageKey = keyof typeof en;

const ru: Record<MessageKey, string> = {
  "app.demo": "демо",
  "app.demoTitle": "Демо-режим: данные идут от встроенных симуляторов провайдеров",
  "app.version": "v{version}",

  "accounts.none": "Аккаунты не настроены",
  "accounts.synced": "Звонков в базе: {count}",
  "accounts.lastSuccess": "Последняя синхронизация: {time}",
  "accounts.nextAttempt": "Следующая попытка: {time}",

  "state.ok": "ok",
  "state.syncing": "синхронизация",
  "state.error": "ошибка",
  "state.idle": "ожидание",
  "state.unsupported": "не поддерживается",

  "filters.from": "С",
  "filters.to": "По",
  "filters.account": "Аккаунт",
  "filters.allAccounts": "Все аккаунты",
  "filters.direction": "Направление",
  "filters.allDirections": "Любое направление",
  "filters.outcome": "Результат",
  "filters.allOutcomes": "Любой результат",
  "filters.number": "Номер",
  "filters.numberPlaceholder": "Номер или его часть",
  "filters.searchHint": "/ — поиск, Esc — очистить",
  "filters.reset": "Сбросить",

  "dir.incoming": "входящий",
  "dir.outgoing": "исходящий",

  "outcome.answered": "отвечен",
  "outcome.missed": "пропущен",
  "outcome.busy": "занято",
  "outcome.failed": "ошибка",
  "outcome.forwarded": "переадресован",

  "col.time": "Время",
  "col.direction": "Направление",
  "col.outcome": "Результат",
  "col.caller": "Кто звонил",
  "col.callee": "Кому",
  "col.talk": "Разговор",
  "col.cost": "Стоимость",
  "col.account": "Аккаунт",
  "col.recording": "Запись",

  "table.empty": "Звонков нет",
  "table.emptyFiltered": "Нет звонков по этим фильтрам",
  "table.loaded": "Загружено звонков: {count}",
  "table.all": "загружены все",
  "table.loadingMore": "загрузка…",
  "table.scrollForMore": "прокрутите, чтобы загрузить ещё",
  "table.hasRecording": "Есть запись",
  "table.keys": "↑↓ выбор · Enter открыть",

  "detail.empty": "Выберите звонок, чтобы увидеть подробности",
  "detail.loading": "Загрузка звонка…",
  "detail.started": "Начало",
  "detail.direction": "Направление",
  "detail.outcome": "Результат",
  "detail.caller": "Кто звонил",
  "detail.callee": "Кому",
  "detail.ring": "Ожидание ответа",
  "detail.talk": "Разговор",
  "detail.total": "Всего",
  "detail.cost": "Стоимость",
  "detail.account": "Аккаунт",
  "detail.provider": "Провайдер",
  "detail.providerCallId": "ID у провайдера",
  "detail.id": "Локальный ID",
  "detail.details": "Данные провайдера",
  "detail.noDetails": "Дополнительных полей нет",
  "detail.recording": "Запись",
  "detail.noRecording": "У этого звонка нет записи",
  "detail.close": "Закрыть",

  "player.loading": "Получаем запись у провайдера…",
  "player.play": "Воспроизвести",
  "player.pause": "Пауза",
  "player.seek": "Позиция",
  "player.speed": "Скорость",
  "player.part": "часть {n}/{total}",
  "player.download": "Скачать",
  "player.downloadPart": "Часть {n}",
  "player.prevPart": "Предыдущая часть",
  "player.nextPart": "Следующая часть",
  "player.keys": "Пробел — пуск/пауза · ←→ 5 с",
  "player.audioError": "Не удалось воспроизвести запись",

  "error.title": "Ошибка",
  "error.provider": "Провайдер {provider} ответил {code}: {message}",
  "error.dismiss": "Скрыть",
  "error.retry": "Повторить",
  "error.code.not_found": "не найдено",
  "error.code.invalid_input": "неверный запрос",
  "error.code.provider": "ошибка провайдера",
  "error.code.network": "ошибка сети",
  "error.code.config": "ошибка настройки",
  "error.code.internal": "внутренняя ошибка",
  "error.loadCalls": "Не удалось загрузить звонки",
  "error.loadCall": "Не удалось загрузить звонок",
  "error.loadRecording": "Не удалось загрузить запись",
  "error.loadAccounts": "Не удалось получить состояние аккаунтов",
  "error.loadInfo": "Бэкенд недоступен",
  "error.fetchFailed": "Бэкенд не ответил",
  "error.badResponse": "Бэкенд прислал нечитаемый ответ",
  "error.http": "HTTP {status}",
};

function detectLang(): Lang {
  const nav = typeof navigator === "undefined" ? "" : (navigator.language ?? "");
  return nav.toLowerCase().startsWith("ru") ? "ru" : "en";
}

export const lang: Lang = detectLang();
/** BCP 47 tag for Intl formatters. */
export const locale: string = lang === "ru" ? "ru-RU" : "en-GB";

const dict: Record<MessageKey, string> = lang === "ru" ? ru : en;

/** Looks a message up and fills `{name}` placeholders. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = dict[key] ?? en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

export const tDirection = (d: Direction): string => t(`dir.${d}`);
export const tOutcome = (o: Outcome): string => t(`outcome.${o}`);
export const tState = (s: SyncState): string => t(`state.${s}`);
export const tErrorCode = (c: ErrorCode): string => t(`error.code.${c}`);

export const PROVIDER_NAMES: Record<string, string> = {
  mtt: "MTT",
  beeline: lang === "ru" ? "Билайн" : "Beeline",
  mts: lang === "ru" ? "МТС" : "MTS",
  mor: "MOR",
  sprecord: "SpRecord",
};

export const providerName = (p: string): string => PROVIDER_NAMES[p] ?? p;
