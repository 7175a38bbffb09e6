// Behaviour of the web UI that issue 5 found wrong: staying true without live events (A),
// recovering from a server restart (B), reading each endpoint once on load (C), errors in the
// user's words (D), keyboard and player (E), recording errors (F) and downloads (G).
//
// Needs a running `callboard-server --demo` serving the UI under test (CALLBOARD_URL). The
// restart test (B) starts servers of its own: CALLBOARD_SERVER is the binary, CALLBOARD_UI_DIR
// the built UI it serves (the same one CALLBOARD_URL serves).
//
//   cd tests/e2e && CALLBOARD_URL=http://127.0.0.1:8787 CALLBOARD_UI_DIR=../../ui/dist node --test behaviour.test.mjs

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./browser.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const BASE_URL = process.env.CALLBOARD_URL ?? "http://127.0.0.1:8787";
const LOCALE = process.env.CALLBOARD_LOCALE ?? "ru-RU";
const TIMEOUT = Number(process.env.CALLBOARD_E2E_TIMEOUT ?? 20_000);
const SERVER_BIN = process.env.CALLBOARD_SERVER ?? "/var/tmp/callboard-target/debug/callboard-server";
const UI_DIR = resolve(process.env.CALLBOARD_UI_DIR ?? join(HERE, "../../ui/dist"));
const ARTIFACTS = join(HERE, "artifacts");
const TZ = "Europe/Moscow";

const ROW = '[data-testid="call-row"]';
const TABLE = '[data-testid="call-table"]';
const LOST = '[data-testid="connection-lost"]';
const PLAYER = '[data-testid="player"]';
const AUDIO = '[data-testid="player-audio"]';

/** @type {import("playwright-core").Browser} */
let browser;

before(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
});

// ------------------------------------------------------------------ helpers

/**
 * A page of its own (fresh storage), the paths it requested in order, and its uncaught errors.
 * `fakeStream` swaps EventSource for one the test drives (window.__es, newest last).
 */
async function openPage(t, { fakeStream = false, clock = false, url = BASE_URL, viewport } = {}) {
  const context = await browser.newContext({
    viewport: viewport ?? { width: 1400, height: 850 },
    locale: LOCALE,
    timezoneId: TZ,
    acceptDownloads: true,
  });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const paths = [];
  page.on("request", (r) => paths.push(new URL(r.url()).pathname));
  if (fakeStream) await page.addInitScript(installFakeEventSource);
  if (clock) await page.clock.install();
  await page.goto(url, { waitUntil: "domcontentloaded" });
  const count = (p) => paths.filter((x) => x === p).length;
  return { page, errors, paths, count };
}

/** Runs in the page: an EventSource the test opens, feeds and breaks. */
function installFakeEventSource() {
  window.__es = [];
  class FakeEventSource extends EventTarget {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSED = 2;
    constructor(url) {
      super();
      this.url = url;
      this.readyState = 0;
      this.onopen = null;
      this.onmessage = null;
      this.onerror = null;
      window.__es.push(this);
    }
    close() {
      this.readyState = 2;
    }
    _fire(e, handler) {
      handler?.call(this, e);
      this.dispatchEvent(e);
    }
    _open() {
      this.readyState = 1;
      this._fire(new Event("open"), this.onopen);
    }
    _send(data) {
      this._fire(new MessageEvent("message", { data: JSON.stringify(data) }), this.onmessage);
    }
    _fail(closed) {
      this.readyState = closed ? 2 : 0;
      this._fire(new Event("error"), this.onerror);
    }
  }
  window.EventSource = FakeEventSource;
}

/** Calls a method of the page's newest fake EventSource. */
function stream(page, method, ...args) {
  return page.evaluate(([m, a]) => window.__es[window.__es.length - 1][m](...a), [method, args]);
}

/** Polls `fn` (node side, real time) until it returns true. */
async function until(what, fn, timeout = TIMEOUT) {
  for (const end = Date.now() + timeout; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    if (await fn()) return;
  }
  assert.fail(`timed out waiting for ${what}`);
}

/**
 * Waits until every request the page made before now has been seen: requests are reported in
 * order, so once a marker request shows up, anything sent before it has been counted.
 */
async function settle(page, paths) {
  const marker = `/__settle-${Math.random().toString(36).slice(2)}`;
  await page.evaluate((m) => fetch(m).catch(() => {}), marker);
  await until("the marker request", () => paths.includes(marker));
}

async function waitForList(page) {
  await page.waitForFunction(
    ({ table, row }) => document.querySelector(table)?.getAttribute("data-state") === "ready" && document.querySelectorAll(row).length > 0,
    { table: TABLE, row: ROW },
  );
}

async function api(path) {
  const res = await fetch(new URL(path, BASE_URL));
  assert.ok(res.ok, `${path}: HTTP ${res.status}`);
  return res.json();
}

/** Rendered rows (top of the list) that have a recording, as `{ id, parts }` where asked. */
async function recordedRows(page, { withParts = false } = {}) {
  // MTT's recordings are the ones that come in several parts.
  const ids = await page.$$eval(ROW, (rows, withParts) =>
    rows
      .filter((r) => r.getAttribute("data-has-recording") === "true")
      .filter((r) => !withParts || r.getAttribute("data-provider") === "mtt")
      .map((r) => Number(r.getAttribute("data-call-id"))),
    withParts,
  );
  if (!withParts) return ids.map((id) => ({ id }));
  const out = [];
  for (const id of ids.slice(0, 20)) out.push({ id, parts: await api(`/api/calls/${id}/recording`) });
  return out;
}

async function openCall(page, id) {
  await page.locator(`${ROW}[data-call-id="${id}"]`).click();
  await page.locator(PLAYER).waitFor();
}

async function waitPlayable(page) {
  await page.waitForFunction(() => {
    const b = document.querySelector('[data-testid="play"]');
    const a = document.querySelector('[data-testid="player-audio"]');
    return !!b && !b.disabled && !!a && a.readyState >= 1 && Number.isFinite(a.duration);
  });
}

const audioState = (page) =>
  page.$eval(AUDIO, (a) => ({ paused: a.paused, time: a.currentTime, duration: a.duration, rate: a.playbackRate }));

/** An element does not scroll sideways: its content fits its width. */
const fitsWidth = (page, sel) => page.$eval(sel, (el) => el.scrollWidth <= el.clientWidth + 1);

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts a demo server on `port`; resolves once it listens. */
function startServer(port, dataDir) {
  const child = spawn(SERVER_BIN, ["--demo", "--bind", `127.0.0.1:${port}`, "--data-dir", dataDir, "--ui-dir", UI_DIR], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolveStart, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 30_000);
    const onData = (d) => {
      out += d;
      if (out.includes("listening on")) {
        clearTimeout(timer);
        resolveStart(child);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}):\n${out}`));
    });
  });
}

async function kill(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

const apiErr = (over) => ({ code: "internal", message: "x", provider: null, hint: null, ...over });
const json = (status, body) => ({ status, contentType: "application/json", body: JSON.stringify(body) });

// ------------------------------------------------------------------ A: stay true without events

test("A: a silent event stream shows «connection lost» after 30 s; an event hides it and re-reads", async (t) => {
  const { page, errors, paths, count } = await openPage(t, { fakeStream: true, clock: true });
  await until("the event stream", () => page.evaluate(() => window.__es?.length === 1));
  await stream(page, "_open");
  await waitForList(page);
  await page.locator('[data-testid="account-badge"]').first().waitFor();

  await page.clock.runFor(29_000);
  assert.equal(await page.locator(LOST).count(), 0, "29 s of silence is not yet lost");
  await page.clock.runFor(2_000);
  const lost = page.locator(LOST);
  await lost.waitFor({ state: "visible" });
  const text = await lost.innerText();
  assert.match(text, /Нет связи с приложением — данные могут устареть/);
  assert.match(text, /последнее обновление \d{2}:\d{2}:\d{2}/);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, "connection-lost.png") });

  await settle(page, paths);
  const calls = count("/api/calls");
  const accounts = count("/api/accounts");
  await stream(page, "_send", { type: "heartbeat" });
  await lost.waitFor({ state: "hidden" });
  // What was sent during the silence was missed: the list and the statuses are read again.
  await until("the re-read after the stream came back", () => count("/api/calls") > calls && count("/api/accounts") > accounts);
  assert.deepEqual(errors, []);
});

test("A: regaining focus or visibility re-reads (not in a storm), and so does a 60 s timer", async (t) => {
  const { page, errors, paths, count } = await openPage(t, { fakeStream: true, clock: true });
  await until("the event stream", () => page.evaluate(() => window.__es?.length === 1));
  await stream(page, "_open");
  await waitForList(page);
  const heartbeat = async (ms) => {
    await page.clock.runFor(ms);
    await stream(page, "_send", { type: "heartbeat" });
  };

  await heartbeat(10_000);
  await settle(page, paths);
  let calls = count("/api/calls");
  let accounts = count("/api/accounts");
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await until("a re-read on focus", () => count("/api/calls") > calls && count("/api/accounts") > accounts);

  // Focus and visibility events right after a re-read do not read again.
  await settle(page, paths);
  calls = count("/api/calls");
  for (let i = 0; i < 5; i++) {
    await page.evaluate(() => {
      window.dispatchEvent(new Event("focus"));
      document.dispatchEvent(new Event("visibilitychange"));
    });
  }
  await page.clock.runFor(1_000);
  await settle(page, paths);
  assert.equal(count("/api/calls"), calls, "no re-read storm");

  await heartbeat(10_000);
  await settle(page, paths);
  calls = count("/api/calls");
  accounts = count("/api/accounts");
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await until("a re-read on becoming visible", () => count("/api/calls") > calls && count("/api/accounts") > accounts);

  // A steady stream (heartbeats every 10 s) stays live, and the list is still re-read every minute.
  await settle(page, paths);
  calls = count("/api/calls");
  accounts = count("/api/accounts");
  for (let i = 0; i < 6; i++) await heartbeat(10_000);
  await until("the periodic re-read", () => count("/api/calls") > calls && count("/api/accounts") > accounts);
  assert.equal(await page.locator(LOST).count(), 0, "heartbeats keep the stream live");
  assert.deepEqual(errors, []);
});

test("A/B: an EventSource error shows «connection lost» at once; the UI re-creates the stream and re-reads", async (t) => {
  const { page, errors, paths, count } = await openPage(t, { fakeStream: true, clock: true });
  await until("the event stream", () => page.evaluate(() => window.__es?.length === 1));
  await stream(page, "_open");
  await waitForList(page);

  // As after an HTTP error: the browser's EventSource is CLOSED for good.
  await stream(page, "_fail", true);
  await page.locator(LOST).waitFor({ state: "visible" });
  await page.clock.runFor(1_000);
  await until("a new EventSource", () => page.evaluate(() => window.__es.length === 2));
  await settle(page, paths);
  const calls = count("/api/calls");
  const accounts = count("/api/accounts");
  await stream(page, "_open");
  await page.locator(LOST).waitFor({ state: "hidden" });
  await until("the re-read after reconnecting", () => count("/api/calls") > calls && count("/api/accounts") > accounts);
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ B: server restart

test("B: the page shows the outage of a killed server and recovers by itself when it is back", { timeout: 120_000 }, async (t) => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "callboard-e2e-"));
  let server = await startServer(port, dataDir);
  t.after(async () => {
    await kill(server);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}/`;
  const { page, errors } = await openPage(t, { url });
  await waitForList(page);
  await page.locator('[data-testid="account-badge"]').first().waitFor();

  await kill(server);
  await page.locator(LOST).waitFor({ state: "visible", timeout: 10_000 });

  // Reads made during the outage fail quietly: the indicator already says why.
  const failed = [];
  page.on("requestfailed", (r) => failed.push(new URL(r.url()).pathname));
  await page.getByRole("button", { name: "Подключиться сейчас" }).click();
  await until("the failed re-reads", () => failed.includes("/api/calls") && failed.includes("/api/accounts"));
  const id = await page.locator(ROW).first().getAttribute("data-call-id");
  await page.locator(ROW).first().click();
  await until("the failed call read", () => failed.includes(`/api/calls/${id}`));
  await page.locator('[data-testid="detail-error"]').waitFor();
  assert.match(await page.locator('[data-testid="detail-error"]').innerText(), /Нет связи с приложением callboard/);
  assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0, "no error banners while the server is down");
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, "server-down.png") });

  // Back on the same address: the page reconnects (its own back-off) and reads everything again.
  const reread = [];
  page.on("response", (r) => {
    const p = new URL(r.url()).pathname;
    if (r.ok() && (p === "/api/calls" || p === "/api/accounts")) reread.push(p);
  });
  server = await startServer(port, dataDir);
  await page.locator(LOST).waitFor({ state: "hidden", timeout: 30_000 });
  await until("the list and statuses read from the restarted server", () => reread.includes("/api/calls") && reread.includes("/api/accounts"));
  await waitForList(page);
  assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ C: one read per endpoint

test("C: a fresh page load reads the info, the list and the statuses once each", async (t) => {
  const { page, errors, paths, count } = await openPage(t, { clock: true });
  await waitForList(page);
  await page.locator('[data-testid="account-badge"]').first().waitFor();
  // Past every start-up timer (the wait for the stream, coalesced refreshes), then count.
  await page.clock.runFor(5_000);
  await settle(page, paths);
  // The demo keeps syncing: calls the backend pushed meanwhile are re-read, once per push at
  // most; without a push the list is read exactly once.
  const pushed = Number(await page.evaluate(() => document.documentElement.dataset.callsPushed ?? 0));
  const requests = `requests: ${paths.filter((p) => p.startsWith("/api/")).join(", ")}; pushed: ${pushed}`;
  assert.deepEqual({ info: count("/api/info"), accounts: count("/api/accounts") }, { info: 1, accounts: 1 }, requests);
  if (pushed === 0) assert.equal(count("/api/calls"), 1, requests);
  else assert.ok(count("/api/calls") >= 1 && count("/api/calls") <= 1 + pushed, requests);
  assert.deepEqual(errors, []);
});

test("C: when the event stream is slow to connect, the page reads anyway after a short wait", async (t) => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 850 }, locale: LOCALE, timezoneId: TZ });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const paths = [];
  page.on("request", (r) => paths.push(new URL(r.url()).pathname));
  // The stream never answers (held until the page closes).
  await page.route("**/api/events", () => new Promise(() => {}));
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 1000);
  await page.goto(BASE_URL, { waitUntil: "domcontentloaded" });
  await until("the event stream request", () => paths.includes("/api/events"));
  await page.clock.runFor(2_000);
  await page.clock.resume();
  await waitForList(page);
  await page.locator('[data-testid="account-badge"]').first().waitFor();
  await settle(page, paths);
  assert.equal(paths.filter((p) => p === "/api/calls").length, 1);
  assert.equal(paths.filter((p) => p === "/api/accounts").length, 1);
});

// ------------------------------------------------------------------ D: errors in the user's words

const LONG_PROVIDER_MESSAGE = `{"error":"unauthorized","error_description":"Invalid credentials for customer 7701234567, request 5f1c2a; ${"see https://api.mtt.ru/docs/errors#401 ".repeat(8)}end-of-message"}`;

/** Each error shape the backend sends, with what the Russian UI must say about it. */
const ERROR_CASES = [
  {
    name: "secret_missing",
    error: apiErr({
      code: "config",
      message: 'account "mtt-sales": no password: set CALLBOARD_MTT_SALES_PASSWORD',
      hint: { kind: "secret_missing", account: "mtt-sales", env: "CALLBOARD_MTT_SALES_PASSWORD", keyring: null },
    }),
    title: /Для аккаунта mtt-sales не задан пароль или ключ/,
    action: /Задайте переменную окружения CALLBOARD_MTT_SALES_PASSWORD и перезапустите callboard/,
  },
  {
    name: "auth_failed",
    error: apiErr({
      code: "provider",
      message: `account "mtt-sales": HTTP 401: ${LONG_PROVIDER_MESSAGE}`,
      provider: { provider: "mtt", code: "HTTP 401", message: LONG_PROVIDER_MESSAGE },
      hint: { kind: "auth_failed", account: "mtt-sales" },
    }),
    title: /Провайдер не принял логин или пароль аккаунта mtt-sales/,
    action: /Проверьте логин и пароль/,
    details: ["Код провайдера: HTTP 401", LONG_PROVIDER_MESSAGE],
  },
  {
    name: "unreachable",
    error: apiErr({ code: "network", message: "error sending request: dns error", hint: { kind: "unreachable", host: "api.mtt.ru" } }),
    title: /Не удаётся связаться с api\.mtt\.ru/,
    action: /Проверьте подключение к интернету/,
  },
  {
    name: "rate_limited",
    error: apiErr({
      code: "provider",
      message: "HTTP 429",
      provider: { provider: "beeline", code: "429", message: "Too Many Requests" },
      hint: { kind: "rate_limited" },
    }),
    title: /Провайдер временно ограничил число запросов/,
    action: /повторит запрос/,
    details: ["Too Many Requests"],
  },
  {
    name: "host_not_allowed",
    error: apiErr({ code: "config", message: "recording host not allowed", hint: { kind: "host_not_allowed", host: "records.example.net" } }),
    title: /Загрузка записей с records\.example\.net не разрешена/,
    action: /Добавьте «records\.example\.net» в recording_hosts/,
  },
  {
    name: "recording_gone",
    error: apiErr({ code: "not_found", message: "recording expired", hint: { kind: "recording_gone" } }),
    title: /У провайдера больше нет этой записи/,
    action: /получить её уже нельзя/,
  },
  {
    name: "config_invalid",
    error: apiErr({
      code: "config",
      message: "invalid config",
      hint: { kind: "config_invalid", file: "/etc/callboard/config.toml", line: 7, column: 3, detail: "expected `=`" },
    }),
    title: /В файле настроек ошибка/,
    action: /Исправьте \/etc\/callboard\/config\.toml, строка 7, столбец 3/,
  },
  { name: "not_found", error: apiErr({ code: "not_found", message: "call 1 not found" }), title: /^Не найдено$/, action: /Обновите список/ },
  { name: "invalid_input", error: apiErr({ code: "invalid_input", message: "bad cursor" }), title: /Запрос не принят/, action: /Проверьте фильтры/ },
  {
    name: "provider",
    error: apiErr({ code: "provider", message: "upstream", provider: { provider: "mts", code: "-32602", message: "Invalid params" } }),
    title: /Провайдер МТС вернул ошибку/,
    action: /передайте подробности ниже администратору/,
    details: ["Код провайдера: -32602", "Invalid params"],
  },
  { name: "network", error: apiErr({ code: "network", message: "connection reset" }), title: /Нет связи с провайдером/, action: /VPN/ },
  { name: "config", error: apiErr({ code: "config", message: "bad config" }), title: /Ошибка в настройках/, action: /файл настроек/ },
  { name: "internal", error: apiErr({ code: "internal", message: "database is locked" }), title: /Внутренняя ошибка callboard/, action: /Попробуйте ещё раз/ },
];

/** Checks one rendered error: the Russian title and next step, then the details in full. */
async function checkError(scope, c) {
  const title = scope.locator('[data-testid="error-title"]');
  await title.waitFor();
  assert.match(await title.innerText(), c.title, `${c.name}: title`);
  assert.match(await scope.locator('[data-testid="error-action"]').innerText(), c.action, `${c.name}: next step`);
  const details = scope.locator('[data-testid="error-details"]');
  assert.equal(await details.isVisible(), false, `${c.name}: details start folded`);
  await scope.locator('[data-testid="error-details-toggle"]').click();
  await details.waitFor({ state: "visible" });
  const text = await details.innerText();
  for (const part of [c.error.code, c.error.message, ...(c.details ?? [])]) {
    assert.ok(text.includes(part), `${c.name}: the details contain ${JSON.stringify(part.slice(0, 60))}…\n${text}`);
  }
  assert.ok(await details.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), `${c.name}: the details wrap instead of being cut`);
}

test("D: each error says in Russian what happened and what to do, with the full details", async (t) => {
  const { page, errors } = await openPage(t);
  await waitForList(page);
  const ids = (await page.$$eval(ROW, (rows) => rows.map((r) => r.getAttribute("data-call-id")))).slice(0, ERROR_CASES.length);
  assert.equal(ids.length, ERROR_CASES.length, "enough rows to open");
  const byId = new Map(ids.map((id, i) => [`/api/calls/${id}`, ERROR_CASES[i]]));
  await page.route("**/api/calls/*", (route) => {
    const c = byId.get(new URL(route.request().url()).pathname);
    return c ? route.fulfill(json(c.error.code === "not_found" ? 404 : 502, c.error)) : route.continue();
  });
  for (const [i, id] of ids.entries()) {
    await page.locator(`${ROW}[data-call-id="${id}"]`).click();
    const box = page.locator('[data-testid="detail-error"]');
    await box.locator('[data-testid="api-error"]').waitFor();
    await checkError(box, ERROR_CASES[i]);
    assert.ok(await fitsWidth(page, '[data-testid="detail-pane"]'), `${ERROR_CASES[i].name}: the pane does not overflow`);
  }
  assert.deepEqual(errors, []);
});

test("D: banners explain HTTP failures and provider errors, never cut off", async (t) => {
  const foreignBody = `{"error":"unauthorized","detail":"${"token expired; ".repeat(20)}"}`;
  const accountsError = ERROR_CASES.find((c) => c.name === "auth_failed");
  const context = await browser.newContext({ viewport: { width: 1400, height: 850 }, locale: LOCALE, timezoneId: TZ });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.route("**/api/calls?*", (r) => r.fulfill({ status: 401, statusText: "Unauthorized", contentType: "application/json", body: foreignBody }));
  await page.route("**/api/accounts", (r) => r.fulfill(json(502, accountsError.error)));
  await page.goto(BASE_URL, { waitUntil: "domcontentloaded" });

  const banners = page.locator('[data-testid="error-banner"]');
  await until("two banners", async () => (await banners.count()) === 2);
  const list = banners.filter({ hasText: "Не удалось загрузить звонки" });
  await checkError(list, {
    name: "HTTP 401",
    error: { code: "invalid_input", message: "HTTP 401 Unauthorized" },
    title: /Сервер ответил ошибкой HTTP 401/,
    action: /Доступ запрещён/,
    details: [foreignBody],
  });
  const statuses = banners.filter({ hasText: "Не удалось получить состояние аккаунтов" });
  await checkError(statuses, accountsError);
  assert.ok(await fitsWidth(page, '[data-testid="error-banner"]'), "banners do not overflow");
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, "error-details.png") });
});

test("D: a start-up error explains the broken config file instead of an empty table", async (t) => {
  const detail =
    "TOML parse error at line 12, column 5\n   |\n12 | password = mtt-secret\n   |            ^\ninvalid string\nexpected `\"`, `'`";
  const startupError = apiErr({
    code: "config",
    message: "cannot read /home/operator/.config/callboard/config.toml",
    hint: { kind: "config_invalid", file: "/home/operator/.config/callboard/config.toml", line: 12, column: 5, detail },
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 850 }, locale: LOCALE, timezoneId: TZ });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.route("**/api/info", async (route) => {
    const info = await (await route.fetch()).json();
    return route.fulfill(json(200, { ...info, demo: false, accounts: 0, startup_error: startupError }));
  });
  await page.goto(BASE_URL, { waitUntil: "domcontentloaded" });

  const screen = page.locator('[data-testid="startup-error"]');
  await screen.waitFor();
  const text = await screen.innerText();
  assert.match(text, /callboard не смог прочитать файл настроек/);
  assert.match(text, /\/home\/operator\/\.config\/callboard\/config\.toml, строка 12, столбец 5/);
  assert.match(text, /Исправьте .* и перезапустите callboard/);
  assert.equal(await page.locator('[data-testid="startup-detail"]').innerText(), detail, "the parser's message, whole");
  assert.equal(await page.locator(TABLE).count(), 0, "no empty table instead");
  await page.screenshot({ path: join(ARTIFACTS, "startup-error.png") });
});

// ------------------------------------------------------------------ E: keyboard and player

test("E: Space plays right after a call is opened, but not while typing", async (t) => {
  const { page, errors } = await openPage(t);
  await waitForList(page);
  const [{ id }] = await recordedRows(page);
  await openCall(page, id);
  await waitPlayable(page);
  const scroll = await page.$eval(TABLE, (el) => el.scrollTop);
  assert.ok(await page.$eval(TABLE, (el) => el === document.activeElement), "the clicked table has the focus");

  await page.keyboard.press("Space");
  await page.waitForFunction((sel) => !document.querySelector(sel).paused, AUDIO);
  assert.equal(await page.$eval(TABLE, (el) => el.scrollTop), scroll, "the list did not scroll");
  await page.keyboard.press("Space");
  await page.waitForFunction((sel) => document.querySelector(sel).paused, AUDIO);

  // In the search box a space is text.
  const search = page.locator('[data-testid="number-search"]');
  await search.focus();
  await page.keyboard.type("12 3");
  assert.equal(await search.inputValue(), "12 3");
  assert.equal((await audioState(page)).paused, true, "typing did not start the audio");
  assert.deepEqual(errors, []);
});

test("E: Esc closes the open call wherever the focus is, except where Esc clears the search", async (t) => {
  const { page, errors } = await openPage(t);
  await waitForList(page);
  const [{ id }] = await recordedRows(page);
  await openCall(page, id);

  const search = page.locator('[data-testid="number-search"]');
  await search.fill("12");
  await search.press("Escape");
  assert.equal(await search.inputValue(), "", "Esc cleared the search");
  assert.equal(await page.locator(PLAYER).count(), 1, "the call stays open");

  await page.locator(TABLE).focus();
  await page.keyboard.press("Escape");
  await page.locator(PLAYER).waitFor({ state: "detached" });
  assert.equal(await page.locator('[data-testid="detail-number"]').count(), 0);
  assert.deepEqual(errors, []);
});

test("E: the position slider moves by seconds from the keyboard", async (t) => {
  const { page, errors } = await openPage(t);
  await waitForList(page);
  const [{ id }] = await recordedRows(page);
  await openCall(page, id);
  await waitPlayable(page);
  const { duration } = await audioState(page);
  const seek = page.locator('[data-testid="seek"]');
  await seek.focus();
  const clamp = (s) => Math.max(0, Math.min(duration, s));
  let expected = 0;
  for (const [key, next] of [
    ["Home", () => 0],
    ["ArrowRight", (s) => clamp(s + 5)],
    ["ArrowRight", (s) => clamp(s + 5)],
    ["ArrowLeft", (s) => clamp(s - 5)],
    ["PageUp", (s) => clamp(s + 30)],
    ["PageDown", (s) => clamp(s - 30)],
    ["End", () => duration],
    ["Home", () => 0],
  ]) {
    expected = next(expected);
    await seek.press(key);
    const { time } = await audioState(page);
    assert.ok(Math.abs(time - expected) < 0.05, `${key}: at ${time.toFixed(2)} s, expected ${expected.toFixed(2)} s (of ${duration.toFixed(2)})`);
  }
  assert.deepEqual(errors, []);
});

test("E: the playback speed stays for the next call and after a reload", async (t) => {
  const { page, errors } = await openPage(t);
  await waitForList(page);
  const rows = await recordedRows(page);
  assert.ok(rows.length >= 2, "two calls with recordings");
  await openCall(page, rows[0].id);
  await waitPlayable(page);
  await page.locator('[data-testid="speed"]', { hasText: "1.5×" }).click();
  assert.equal((await audioState(page)).rate, 1.5);

  const checkSpeed = async (what) => {
    await waitPlayable(page);
    assert.equal(await page.locator('[data-testid="speed"][aria-checked="true"]').innerText(), "1.5×", `${what}: the chosen speed`);
    assert.equal((await audioState(page)).rate, 1.5, `${what}: the audio's rate`);
  };
  await openCall(page, rows[1].id);
  await checkSpeed("next call");
  await page.reload({ waitUntil: "domcontentloaded" });
  await waitForList(page);
  await openCall(page, rows[0].id);
  await checkSpeed("after a reload");
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ F: recording errors

test("F: a recording error with a long URL wraps, keeps Retry in view, and disables Play and Download", async (t) => {
  const { page, errors, count } = await openPage(t, { viewport: { width: 1200, height: 800 } });
  await waitForList(page);
  const [{ id }] = await recordedRows(page);
  const url = `https://records.provider.example/api/v3/recordings/download/${"a1b2c3d4".repeat(16)}?token=${"Zx9".repeat(40)}`;
  const error = apiErr({
    code: "network",
    message: `error sending request for url (${url}): operation timed out`,
    hint: { kind: "unreachable", host: "records.provider.example" },
  });
  const partsPath = `/api/calls/${id}/recording`;
  await page.route(`**${partsPath}`, (r) => r.fulfill(json(502, error)));
  await page.locator(`${ROW}[data-call-id="${id}"]`).click();

  const player = page.locator(PLAYER);
  const failure = player.locator('[data-testid="player-error"]');
  await failure.waitFor();
  const retry = player.getByRole("button", { name: "Повторить" });
  const inView = async () => {
    const pane = await page.locator('[data-testid="detail-pane"]').boundingBox();
    const r = await retry.boundingBox();
    return !!pane && !!r && r.x >= pane.x && r.x + r.width <= pane.x + pane.width + 0.5;
  };
  assert.ok(await retry.isVisible(), "Retry is visible");
  assert.ok(await inView(), "Retry is inside the pane");
  assert.ok(await fitsWidth(page, '[data-testid="detail-pane"]'), "the pane does not overflow");

  const play = page.locator('[data-testid="play"]');
  assert.ok(await play.isDisabled(), "Play is disabled");
  assert.match((await play.getAttribute("title")) ?? "", /Запись недоступна/, "Play says why");
  const downloads = player.locator('[data-testid="download"]');
  assert.ok((await downloads.count()) > 0, "a Download control is shown");
  for (const d of await downloads.all()) assert.ok(await d.isDisabled(), "Download is disabled");
  assert.match(await failure.innerText(), /Не удаётся связаться с records\.provider\.example/);
  await failure.locator('[data-testid="error-details-toggle"]').click();
  assert.ok((await failure.locator('[data-testid="error-details"]').innerText()).includes(url), "the full URL is in the details");
  assert.ok(await inView(), "Retry is inside the pane with the details open");
  assert.ok(await fitsWidth(page, '[data-testid="detail-pane"]'), "the pane does not overflow with the details open");
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, "player-failed.png") });

  // Retry asks the backend again.
  const before = count(partsPath);
  await page.unroute(`**${partsPath}`);
  await retry.click();
  await until("the parts asked for again", () => count(partsPath) > before);
  await waitPlayable(page);
  assert.deepEqual(errors, []);
});

test("F: audio that cannot be fetched disables Play and Download; Retry re-asks the backend", async (t) => {
  const { page, errors, count } = await openPage(t);
  await waitForList(page);
  const [{ id }] = await recordedRows(page);
  const error = apiErr({
    code: "provider",
    message: "recording link expired",
    provider: { provider: "mtt", code: "HTTP 403", message: "Signature expired" },
  });
  const filePattern = `**/api/calls/${id}/recording/*`;
  await page.route(filePattern, (r) => r.fulfill(json(502, error)));
  await page.locator(`${ROW}[data-call-id="${id}"]`).click();

  const player = page.locator(PLAYER);
  const failure = player.locator('[data-testid="player-audio-error"]');
  await failure.waitFor();
  const play = page.locator('[data-testid="play"]');
  await until("Play disabled", () => play.isDisabled(), 5_000);
  assert.match((await play.getAttribute("title")) ?? "", /Запись недоступна/, "Play says why");
  const download = player.locator('[data-testid="download"]').first();
  assert.ok(await download.isDisabled(), "Download of the current part is disabled");
  assert.match((await download.getAttribute("title")) ?? "", /Запись недоступна/, "Download says why");
  assert.match(await failure.innerText(), /Провайдер MTT вернул ошибку/);

  const partsPath = `/api/calls/${id}/recording`;
  const before = count(partsPath);
  await page.unroute(filePattern);
  await player.getByRole("button", { name: "Повторить" }).click();
  await until("the parts asked for again", () => count(partsPath) > before);
  await waitPlayable(page);
  await failure.waitFor({ state: "detached" });
  assert.ok(await player.locator('[data-testid="download"]').first().isEnabled());
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ G: download

/** What the UI must name a part: local start time, the other party, the part, the extension. */
function expectedName(call, mime, part, parts) {
  const f = new Intl.DateTimeFormat("en-CA", {
    timeZone: TZ,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const p = Object.fromEntries(f.formatToParts(new Date(call.started_at)).map((x) => [x.type, x.value]));
  const number = call.direction === "incoming" ? call.caller : call.callee;
  const ext = mime.includes("wav") ? "wav" : mime.includes("mpeg") ? "mp3" : "audio";
  return `${p.year}-${p.month}-${p.day}_${p.hour}-${p.minute}-${p.second}_${number}${parts > 1 ? `_part${part + 1}` : ""}.${ext}`;
}

test("G: Download is a keyboard-reachable button that saves the part under a meaningful name", async (t) => {
  const { page, errors } = await openPage(t);
  await waitForList(page);
  // MTT's recordings come in parts: show MTT's calls only, so enough of them are on top.
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === "/api/calls" && new URL(r.url()).searchParams.get("provider") === "mtt"),
    page.selectOption('[data-testid="filter-provider"]', "mtt"),
  ]);
  await waitForList(page);
  const rows = await recordedRows(page, { withParts: true });
  const multi = rows.find((r) => r.parts.length >= 2);
  assert.ok(multi, "a call with a recording in several parts");
  const { call } = await api(`/api/calls/${multi.id}`);
  await openCall(page, multi.id);
  await waitPlayable(page);

  const button = page.locator('[data-testid="download"]').nth(1);
  assert.equal(await button.evaluate((el) => el.tagName), "BUTTON");
  await button.focus();
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  const name = download.suggestedFilename();
  assert.equal(name, expectedName(call, multi.parts[1].mime, 1, multi.parts.length));
  assert.match(name, /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_\+?\d+_part2\.wav$/);
  const path = await download.path();
  assert.ok(statSync(path).size > 44, "the file has audio in it");
  assert.deepEqual(errors, []);
});
