// The live side of the web UI: the live board, the missed-not-called-back queue, the routing
// rules editor and the webhook listener's refusals, against a running `callboard-server --demo`
// (CALLBOARD_URL). The demo places calls by itself meanwhile, so every test finds its own call
// by the caller number the demo-call operation answered (or by a fresh number it chose).
//
//   cd tests/e2e && CALLBOARD_URL=http://127.0.0.1:8787 node --test live.test.mjs
//
// Screenshots go to artifacts/live-*.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./browser.mjs";

const BASE_URL = process.env.CALLBOARD_URL ?? "http://127.0.0.1:8787";
const LOCALE = process.env.CALLBOARD_LOCALE ?? "ru-RU";
const TIMEOUT = Number(process.env.CALLBOARD_E2E_TIMEOUT ?? 20_000);
/** A simulated call rings 3 s and talks 8 s; its history row comes after its end. */
const CALL_TIMEOUT = Math.max(TIMEOUT, 45_000);
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "artifacts");
const TZ = "Europe/Moscow";

const ROW = '[data-testid="call-row"]';
const TABLE = '[data-testid="call-table"]';
const LIVE = '[data-testid="live-call"]';
const EDITOR = '[data-testid="routing-editor"]';

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

/** A fresh page (own storage) with its history loaded. */
async function openPage(t, { width = 1400, height = 850, locale = LOCALE } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale, timezoneId: TZ });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(BASE_URL, { waitUntil: "domcontentloaded" });
  await page.waitForFunction(
    ({ table, row }) => document.querySelector(table)?.getAttribute("data-state") === "ready" && document.querySelectorAll(row).length > 0,
    { table: TABLE, row: ROW },
  );
  await page.locator('[data-testid="live-panel"]').waitFor();
  return { page, errors };
}

async function api(path, init) {
  const res = await fetch(new URL(path, BASE_URL), init);
  const text = await res.text();
  assert.ok(res.ok, `${init?.method ?? "GET"} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

const postJson = (path, body, method = "POST") =>
  api(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Places a simulated call now; answers its caller (E.164). */
async function placeCall({ provider, caller = null, answered }) {
  const placed = await postJson("/api/demo/call", { provider, caller, answered, ring_secs: null, talk_secs: null });
  assert.match(placed.caller, /^\+\d{11}$/, "the demo answers the caller as E.164");
  return placed.caller;
}

/** A mobile number no demo client has (and not the demo's blacklisted spam caller). */
function freshNumber() {
  for (;;) {
    const n = `7999${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
    if (n !== "79990006666") return n;
  }
}

const digitsOf = (s) => s.replace(/\D+/g, "");
/** A Russian number as the UI shows it. */
const shown = (n) => {
  const d = digitsOf(n).slice(-10);
  return `+7 ${d.slice(0, 3)} ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`;
};

/** Waits until the table shows the answer to a query whose number filter is `digits`. */
function waitForList(page, digits) {
  return page.waitForFunction(
    ({ table, digits }) => {
      const t = document.querySelector(table);
      return !!t && t.getAttribute("data-state") === "ready" && (t.getAttribute("data-number") ?? "") === digits;
    },
    { table: TABLE, digits },
  );
}

/**
 * Records in the page every state each live row shows from now on, by the provider's call key
 * (an ended call's key carries its start after an `@`), so that a state held briefly between
 * two looks is not missed. Rows already on the board are left out.
 */
async function recordLiveStates(page) {
  await page.evaluate(() => {
    const base = (k) => k.replace(/@\d+$/, "");
    const old = new Set([...document.querySelectorAll('[data-testid="live-call"]')].map((r) => base(r.dataset.key)));
    window.__liveStates = {};
    const note = () => {
      for (const r of document.querySelectorAll('[data-testid="live-call"]')) {
        const key = base(r.dataset.key);
        if (old.has(key)) continue;
        const seen = (window.__liveStates[key] ??= { caller: r.dataset.caller, states: [] });
        if (seen.states[seen.states.length - 1] !== r.dataset.state) seen.states.push(r.dataset.state);
      }
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state", "data-key"] });
  });
}

const statesOf = (page, caller) =>
  page.evaluate((caller) => Object.values(window.__liveStates).filter((s) => s.caller === caller).map((s) => s.states), caller);

/** Records every value the header's missed count takes from now on. */
async function recordMissedCounts(page) {
  await page.evaluate(() => {
    window.__missedCounts = [];
    const note = () => {
      const c = document.querySelector('[data-testid="missed-badge"]')?.getAttribute("data-count");
      if (c !== null && c !== undefined && window.__missedCounts[window.__missedCounts.length - 1] !== Number(c)) window.__missedCounts.push(Number(c));
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-count"] });
  });
}

async function openEditor(page, tab = "blacklist") {
  await page.click('[data-testid="routing-open"]');
  await page.locator(EDITOR).waitFor({ state: "visible" });
  await page.click(`[data-testid="rules-tab-${tab}"]`);
  await page.locator(`[data-testid="rules-panel"][data-tab="${tab}"]`).waitFor();
}

/** Removes a rule the test added, should the test end before it removed it itself. */
async function dropRule(id) {
  const res = await fetch(new URL(`/api/routing/rules/${id}`, BASE_URL), { method: "DELETE" });
  await res.arrayBuffer();
}

// ------------------------------------------------------------------ (a) the live board

test("(a) an answered MTT call placed from the live panel rings, talks, ends, and opens from the history", { timeout: 120_000 }, async (t) => {
  const { page, errors } = await openPage(t);
  await recordLiveStates(page);

  await page.selectOption('[data-testid="demo-provider"]', "mtt");
  await page.check('[data-testid="demo-answered"]');
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === "/api/demo/call"),
    page.click('[data-testid="demo-simulate"]'),
  ]);
  assert.equal(res.status(), 200);
  const { caller } = await res.json();
  assert.deepEqual(JSON.parse(res.request().postData()), { provider: "mtt", caller: null, answered: true, ring_secs: null, talk_secs: null });
  await page.locator(`[data-testid="demo-placed"][data-caller="${caller}"]`).waitFor();

  const row = (state) => page.locator(`${LIVE}[data-caller="${caller}"][data-provider="mtt"]${state ? `[data-state="${state}"]` : ""}`);
  // Ringing: its number as operators read it, the time since it started counting.
  await row("ringing").first().waitFor({ timeout: CALL_TIMEOUT });
  const ringing = row("ringing").first();
  assert.equal((await ringing.locator('[data-testid="live-caller"]').textContent()).trim().replace(/^↙/, ""), shown(caller));
  assert.match(await ringing.locator('[data-testid="live-state"]').textContent(), /вызов|ringing/);
  assert.match(await ringing.locator('[data-testid="live-state"]').textContent(), /\d+:\d\d/);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, "live-ringing.png") });

  await row("talking").first().waitFor({ timeout: CALL_TIMEOUT });
  const ended = page.locator(`${LIVE}[data-caller="${caller}"][data-state="ended"][data-outcome="answered"]:not([data-history-id=""])`);
  await ended.first().waitFor({ timeout: CALL_TIMEOUT });
  const states = await statesOf(page, caller);
  assert.ok(
    states.some((s) => s.join(">") === "ringing>talking>ended"),
    `the row went ringing → talking → ended: ${JSON.stringify(states)}`,
  );
  // The ended call stays, greyed, with its outcome and what the routing rules answered.
  assert.ok((await ended.first().locator('[data-testid="live-outcome"]').textContent()).trim());
  assert.ok((await ended.first().getAttribute("data-key")).includes("@"), "an ended call's key carries its start");
  const historyId = Number(await ended.first().getAttribute("data-history-id"));

  // It is in the history: the API has it with this caller, the table lists it.
  const stored = await api(`/api/calls/${historyId}`);
  assert.equal(stored.call.caller, caller);
  assert.equal(stored.call.provider, "mtt");
  assert.equal(stored.call.outcome, "answered");
  await page.locator(`${ROW}[data-call-id="${historyId}"]`).waitFor({ state: "attached", timeout: CALL_TIMEOUT });

  // A click on the ended call opens it in the detail pane.
  await ended.first().locator("button").click();
  const number = page.locator('[data-testid="detail-number"]');
  await page.waitForFunction(
    ({ want }) => document.querySelector('[data-testid="detail-number"]')?.textContent.trim() === want,
    { want: shown(caller) },
  );
  assert.equal((await number.textContent()).trim(), shown(caller));
  await page.locator(`${ROW}[data-call-id="${historyId}"][aria-selected="true"]`).waitFor({ state: "attached" });
  await page.screenshot({ path: join(ARTIFACTS, "live-ended-opened.png") });

  // "Block this caller" opens the blacklist with the number filled in (and nothing saved yet).
  const blocked = (await api("/api/routing")).blacklist.length;
  await page.click('[data-testid="block-caller"]');
  await page.locator(`${EDITOR} [data-testid="blacklist-form"]`).waitFor();
  const pattern = page.locator('[data-testid="bl-pattern"]');
  assert.equal(await pattern.inputValue(), shown(caller));
  await page.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "bl-pattern");
  await page.keyboard.press("Escape");
  await page.locator(EDITOR).waitFor({ state: "hidden" });
  assert.equal((await api("/api/routing")).blacklist.length, blocked);
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ (b) missed, not called back

test("(b) an unanswered SpRecord call puts its caller in the missed queue, the header count goes up, a click filters the history", { timeout: 120_000 }, async (t) => {
  const { page, errors } = await openPage(t);
  await page.locator('[data-testid="missed-badge"]').waitFor();
  const before = Number(await page.getAttribute('[data-testid="missed-badge"]', "data-count"));
  await recordMissedCounts(page);

  // A fresh number: no call of the demo's may have answered it since. (Its row on the live
  // board is not looked for: the demo's SpRecord device rings every call on one channel, and
  // the board folds calls that overlap on it into one.)
  const caller = await placeCall({ provider: "sprecord", caller: freshNumber(), answered: false });

  // The header's count follows the queue (the backend's missed_queue events).
  await page.waitForFunction((before) => window.__missedCounts.some((c) => c > before), before, { timeout: CALL_TIMEOUT });
  await page.click('[data-testid="missed-badge"]');
  const board = page.locator('[data-testid="operator-board"]');
  assert.equal(await board.getAttribute("data-tab"), "missed");
  const entry = page.locator(`[data-testid="missed-caller"][data-number="${caller}"]`);
  await entry.waitFor({ timeout: CALL_TIMEOUT });
  assert.equal(await entry.getAttribute("data-count"), "1", "missed once");
  assert.equal((await entry.locator('[data-testid="missed-number"]').textContent()).trim(), shown(caller));
  // The count shown is the queue's length the API reports (it may move with the demo's calls).
  await page.waitForFunction(
    async (base) => {
      const q = await (await fetch(`${base}/api/missed?limit=1`)).json();
      return Number(document.querySelector('[data-testid="missed-badge"]').getAttribute("data-count")) === q.total;
    },
    BASE_URL,
    { polling: 500 },
  );
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, "live-missed.png") });

  // A click shows the number's calls in the history, our missed call among them.
  const { items } = await api(`/api/calls?number=${digitsOf(caller)}`);
  assert.deepEqual(
    items.map((c) => [c.provider, c.direction, c.outcome]),
    [["sprecord", "incoming", "missed"]],
  );
  const historyId = items[0].id;
  await entry.locator("button").click();
  await waitForList(page, digitsOf(caller));
  assert.equal(await page.inputValue('[data-testid="number-search"]'), shown(caller));
  await page.locator(`${ROW}[data-call-id="${historyId}"]`).waitFor({ state: "attached" });
  const numbers = await page.$$eval(`${ROW}`, (rows) =>
    rows.map((r) => r.querySelector('[data-testid="cell-caller"]').textContent + " " + r.querySelector('[data-testid="cell-callee"]').textContent),
  );
  for (const n of numbers) assert.ok(digitsOf(n).includes(digitsOf(caller)), `every row has the number: ${n}`);
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ (c) blacklist

test("(c) a number blacklisted in the editor is rejected with the rules' reason; the entry is removed after a confirmation", { timeout: 120_000 }, async (t) => {
  const { page, errors } = await openPage(t);
  const number = freshNumber();
  const reason = `e2e ${number.slice(-4)}`;

  await openEditor(page, "blacklist");
  await page.fill('[data-testid="bl-pattern"]', shown(number));
  await page.fill('[data-testid="bl-reason"]', reason);
  const saved = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/routing/blacklist" && r.request().method() === "POST");
  await page.click('[data-testid="bl-save"]');
  assert.equal((await saved).status(), 200);
  const entry = page.locator(`[data-testid="bl-entry"][data-pattern="${shown(number)}"]`);
  await entry.waitFor();
  const id = Number(await entry.getAttribute("data-id"));
  t.after(() => dropRule(id));
  assert.ok((await entry.textContent()).includes(reason));
  const rules = await api("/api/routing");
  assert.ok(rules.blacklist.some((b) => b.id === id && b.reason === reason && b.match_kind === "exact"), "the backend holds it");
  await page.screenshot({ path: join(ARTIFACTS, "live-blacklist.png") });
  await page.keyboard.press("Escape");
  await page.locator(EDITOR).waitFor({ state: "hidden" });

  const caller = await placeCall({ provider: "mtt", caller: number, answered: true });
  const rejected = page.locator(`${LIVE}[data-caller="${caller}"][data-state="ended"]`);
  await rejected.waitFor({ timeout: CALL_TIMEOUT });
  assert.equal(await rejected.getAttribute("data-outcome"), "failed", "a rejected call ends as failed, not missed");
  const routing = rejected.locator('[data-testid="live-routing"]');
  assert.equal(await routing.getAttribute("data-routing"), `rejected: blacklisted (${reason})`);
  assert.match(await routing.textContent(), new RegExp(`(отклонён: чёрный список|rejected: blacklisted) \\(${reason}\\)`));
  assert.match(await rejected.locator('[data-testid="live-outcome"]').textContent(), /отклонён|rejected/);
  // In the history too, though no calls_synced announces a rejected call's row.
  const rejectedId = await page
    .locator(`${LIVE}[data-caller="${caller}"][data-state="ended"]:not([data-history-id=""])`)
    .getAttribute("data-history-id", { timeout: CALL_TIMEOUT });
  await page.locator(`${ROW}[data-call-id="${rejectedId}"]`).waitFor({ state: "attached", timeout: CALL_TIMEOUT });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, "live-rejected.png") });

  // Removed, after saying yes.
  await openEditor(page, "blacklist");
  await entry.locator('[data-testid="bl-delete"]').click();
  const confirm = entry.locator('[data-testid="confirm-delete"]');
  await confirm.waitFor();
  // Cancel keeps it (and has the focus: the safe answer).
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "confirm-no");
  await page.keyboard.press("Enter");
  await confirm.waitFor({ state: "detached" });
  assert.equal(await entry.count(), 1);
  await entry.locator('[data-testid="bl-delete"]').click();
  const deleted = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/routing/rules/${id}` && r.request().method() === "DELETE");
  await entry.locator('[data-testid="confirm-yes"]').click();
  assert.equal((await deleted).status(), 200);
  await entry.waitFor({ state: "detached" });
  assert.ok(!(await api("/api/routing")).blacklist.some((b) => b.id === id), "gone from the backend");
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ (d) the listener

test("(d) the accounts panel gives each account its webhook URLs and lists a request refused for a wrong token", async (t) => {
  const hooks = await api("/api/webhooks");
  // A URL whose last segment is the token (Beeline's and SpRecord's are).
  const hook = hooks.flatMap((h) => h.urls.map((u) => ({ ...u, account: h.account, provider: h.provider }))).find((u) => u.provider !== "mtt");
  assert.ok(hook, `an account with a token URL: ${JSON.stringify(hooks)}`);
  const newest = (await api("/api/listener/refused?limit=1"))[0]?.id ?? 0;

  const wrong = new URL(hook.url);
  const segments = wrong.pathname.split("/");
  segments[segments.length - 1] = `e2e-wrong-${Math.random().toString(36).slice(2)}`;
  wrong.pathname = segments.join("/");
  // Enough refusals for a second page ("Older"), the last one the one to find.
  let status = 0;
  for (let i = 0; i < 52; i++) {
    const res = await fetch(wrong, { method: "POST", headers: { "content-type": "text/plain" }, body: `e2e probe ${i}` });
    await res.arrayBuffer();
    assert.ok(!res.ok, `a wrong token is refused (HTTP ${res.status})`);
    status = res.status;
  }

  const { page, errors } = await openPage(t, { width: 1024, height: 700 });
  await page.click('[data-testid="accounts-open"]');
  const panel = page.locator('[data-testid="accounts-panel"]');
  await panel.waitFor({ state: "visible" });
  // Each URL of the account, to copy into the provider's settings.
  const row = panel.locator(`[data-testid="account-row"][data-account="${hook.account}"]`);
  const values = row.locator('[data-testid="webhook-url-value"]');
  await values.first().waitFor();
  const expected = hooks.find((h) => h.account === hook.account).urls.map((u) => u.url);
  assert.deepEqual(await values.evaluateAll((els) => els.map((e) => e.value)), expected);
  assert.equal(await row.locator('[data-testid="webhook-copy"]').count(), expected.length);

  await page.click('[data-testid="accounts-tab-refused"]');
  const list = panel.locator('[data-testid="refused-requests"]');
  await list.waitFor();
  const mine = await page.waitForFunction(
    (newest) => {
      const rows = [...document.querySelectorAll('[data-testid="refused-request"]')].filter((r) => Number(r.dataset.id) > newest);
      return rows.length > 0 ? { id: Number(rows[0].dataset.id), text: rows[0].textContent, status: rows[0].dataset.status, path: rows[0].dataset.path } : null;
    },
    newest,
  );
  const req = await mine.jsonValue();
  assert.equal(Number(req.status), status);
  assert.ok(req.path.startsWith(`/${hook.provider}/${hook.account}/`), `the path names the account: ${req.path}`);
  assert.ok(!req.path.includes(segments[segments.length - 1]), "the token is masked");
  assert.match(req.text, /127\.0\.0\.1/);
  // Newest first.
  const ids = await panel.locator('[data-testid="refused-request"]').evaluateAll((els) => els.map((e) => Number(e.dataset.id)));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  assert.equal(ids.length, 50, "a page of 50");
  await page.screenshot({ path: join(ARTIFACTS, "live-refused.png") });

  // Older: the next page, still newest first, no row twice.
  await panel.locator('[data-testid="refused-older"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="refused-request"]').length > 50);
  const all = await panel.locator('[data-testid="refused-request"]').evaluateAll((els) => els.map((e) => Number(e.dataset.id)));
  assert.deepEqual(all, [...new Set(all)].sort((a, b) => b - a));
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ (e) a refused rule

for (const locale of ["ru-RU", "en-US"]) {
  test(`(e) a plan the backend refuses shows its reason next to the form, the field marked (${locale})`, async (t) => {
    const { page, errors } = await openPage(t, { locale, width: 1024, height: 700 });
    const line = freshNumber();
    t.after(async () => {
      const left = (await api("/api/routing")).plans.find((p) => p.line === line);
      if (left) await dropRule(left.id);
    });
    await openEditor(page, "plans");
    await page.click('[data-testid="plan-new"]');
    const form = page.locator('[data-testid="plan-form"]');
    await form.waitFor();
    await page.fill('[data-testid="plan-line"]', line);
    await page.fill('[data-testid="plan-name"]', "e2e");
    const target = form.locator('[data-testid="plan-targets"] [data-testid="target"]').first();
    await target.locator('[data-testid="target-number"]').fill("+7 916 000-00-01");
    await target.locator('[data-testid="target-timeout"]').fill("1");
    // Opening hours: weekdays 9 to 18, typed loosely.
    await form.locator('[data-testid="slot-add"]').click();
    const slot = form.locator('[data-testid="slot"]').first();
    await slot.locator('[data-testid="slot-start"]').fill("9");
    await slot.locator('[data-testid="slot-end"]').fill("1800");
    await form.locator('[data-testid="after-reject"]').check();

    const sent = page.waitForRequest((r) => new URL(r.url()).pathname === "/api/routing/plans" && r.method() === "POST");
    await page.click('[data-testid="plan-save"]');
    const body = JSON.parse((await sent).postData());
    assert.deepEqual(body.schedule, [{ days: ["mo", "tu", "we", "th", "fr"], start: "09:00", end: "18:00" }]);
    assert.deepEqual(body.after_hours, { kind: "reject" });
    assert.equal(body.targets[0].timeout_secs, 1);

    const box = form.locator('[data-testid="rule-error"]');
    await box.waitFor();
    assert.equal(await box.getAttribute("data-field"), "targets[0].timeout_secs");
    const title = (await box.locator('[data-testid="error-title"]').textContent()).trim();
    const action = (await box.locator('[data-testid="error-action"]').textContent()).trim();
    if (locale === "ru-RU") {
      // A new plan: the id the backend gave it in the message is not one to show.
      assert.equal(title, "Правило не сохранено");
      assert.equal(action, "телефон 1, время вызова: 1 с — вне допустимых 5–600 с");
    } else {
      assert.equal(title, "The rule was not saved");
      assert.equal(action, "phone 1, ring time: 1 s is outside 5 to 600 s");
    }
    assert.equal(await target.locator('[data-testid="target-timeout"]').getAttribute("aria-invalid"), "true");
    // The backend's own words stay in the details.
    await box.locator('[data-testid="error-details-toggle"]').click();
    assert.match(await box.locator('[data-testid="error-details"]').textContent(), /ring timeout 1 s is outside 5 to 600 s/);
    assert.ok(!(await api("/api/routing")).plans.some((p) => p.line === line), "nothing was stored");
    await page.screenshot({ path: join(ARTIFACTS, `live-plan-error-${locale}.png`) });

    // Corrected, it is taken, and the error goes.
    await target.locator('[data-testid="target-timeout"]').fill("20");
    await page.click('[data-testid="plan-save"]');
    const entry = page.locator(`[data-testid="plan-entry"][data-line="${line}"]`);
    await entry.waitFor();
    const plan = (await api("/api/routing")).plans.find((p) => p.line === line);
    assert.ok(plan, "stored");
    await dropRule(plan.id);
    assert.deepEqual(errors, []);
  });
}

// ------------------------------------------------------------------ layout and keyboard

test("at 1024×700 the board, the editor and the accounts panel fit; tabs work by keyboard", async (t) => {
  const { page, errors } = await openPage(t, { width: 1024, height: 700 });
  const fits = () =>
    page.evaluate(() => {
      const out = [];
      if (document.documentElement.scrollWidth > innerWidth) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth})`);
      for (const sel of ['[data-testid="live-caller"]', '[data-testid="missed-number"]', '[data-testid="live-state"]']) {
        for (const el of document.querySelectorAll(sel)) if (el.scrollWidth > el.clientWidth + 1) out.push(`${sel} cut: ${el.textContent}`);
      }
      for (const d of document.querySelectorAll("dialog[open]")) {
        const r = d.getBoundingClientRect();
        if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight) out.push(`${d.dataset.testid} outside the window`);
        for (const el of d.querySelectorAll("*")) {
          if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "auto") out.push(`${d.dataset.testid}: scrolls sideways`);
        }
      }
      return out;
    });

  // Let a call or two arrive, then check the live board.
  await page.locator(LIVE).first().waitFor({ timeout: CALL_TIMEOUT });
  assert.deepEqual(await fits(), []);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, "live-board-1024x700.png") });

  // The board's tabs: reached with Tab, switched with the arrows.
  await page.evaluate(() => document.activeElement?.blur());
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.getAttribute("data-testid") === "board-tab-live");
  }
  assert.ok(reached, "the live tab is reached by Tab");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "board-tab-missed");
  assert.equal(await page.getAttribute('[data-testid="operator-board"]', "data-tab"), "missed");
  await page.locator('[data-testid="missed-panel"]').waitFor();
  assert.deepEqual(await fits(), []);
  // Folded, the history gets the height; the choice survives a reload.
  await page.click('[data-testid="board-toggle"]');
  assert.equal(await page.getAttribute('[data-testid="operator-board"]', "data-collapsed"), "true");
  await page.reload();
  await page.locator('[data-testid="operator-board"][data-collapsed="true"][data-tab="missed"]').waitFor();
  await page.click('[data-testid="board-tab-live"]');
  await page.locator('[data-testid="live-panel"]').waitFor();

  // The editor: its tabs by keyboard, the plan form whole at this size.
  await openEditor(page, "blacklist");
  await page.focus('[data-testid="rules-tab-blacklist"]');
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "rules-tab-vip");
  await page.locator('[data-testid="vip-form"]').waitFor();
  await page.click('[data-testid="rules-tab-plans"]');
  await page.click('[data-testid="plan-new"]');
  await page.click('[data-testid="slot-add"]');
  await page.check('[data-testid="after-forward"]');
  await page.locator('[data-testid="after-targets"]').waitFor();
  assert.deepEqual(await fits(), []);
  await page.screenshot({ path: join(ARTIFACTS, "live-plan-form-1024x700.png") });
  await page.click('[data-testid="rules-tab-test"]');
  await page.fill('[data-testid="test-caller"]', "+7 999 000-66-66");
  await page.fill('[data-testid="test-line"]', "74996480000");
  await page.click('[data-testid="test-run"]');
  const answer = page.locator('[data-testid="test-answer"]');
  await answer.waitFor();
  assert.match(await answer.getAttribute("data-answer"), /^rejected: blacklisted/);
  await page.keyboard.press("Escape");
  await page.locator(EDITOR).waitFor({ state: "hidden" });

  await page.click('[data-testid="accounts-open"]');
  await page.locator('[data-testid="webhook-url"]').first().waitFor();
  assert.deepEqual(await fits(), []);
  await page.click('[data-testid="accounts-tab-refused"]');
  await page.locator('[data-testid="refused-requests"]').waitFor();
  assert.deepEqual(await fits(), []);
  assert.deepEqual(errors, []);
});
