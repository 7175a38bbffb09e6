// Layout and input tests of the callboard web UI (issue 5): numbers shown whole and grouped,
// the empty detail pane taking no width, typed dates and presets, and account badges that
// can all be reached by keyboard.
//
// Needs a running `callboard-server --demo` serving the built UI (CALLBOARD_URL), like
// ui.test.mjs; each test opens its own browser context (window size, locale).
//
//   cd tests/e2e && CALLBOARD_URL=http://127.0.0.1:8787 node --test layout.test.mjs
//
// Screenshots (ru-RU at 1920×1080, 1024×700, 800×600) go to artifacts/layout-*.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./browser.mjs";

const BASE_URL = process.env.CALLBOARD_URL ?? "http://127.0.0.1:8787";
const TIMEOUT = Number(process.env.CALLBOARD_E2E_TIMEOUT ?? 20_000);
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

const ROW = '[data-testid="call-row"]';
const TABLE = '[data-testid="call-table"]';
/** A Russian number as operators read it. */
const RU_NUMBER = /^\+7 \d{3} \d{3}-\d{2}-\d{2}$/;

/** @type {import("playwright-core").Browser | undefined} */
let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/**
 * A fresh page at the given size and locale, its history loaded. `setup` runs before the UI
 * loads (to intercept requests). The context is closed when the test ends.
 */
async function openPage(t, { width, height, locale = "ru-RU", setup } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  if (setup) await setup(page);
  await page.goto(BASE_URL, { waitUntil: "domcontentloaded" });
  await waitForList(page, "");
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length >= 5, ROW);
  return { page, errors };
}

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

const digitsOf = (s) => s.replace(/\D+/g, "");
const pad = (n) => String(n).padStart(2, "0");

/** Whether a request is the call list's (not a call's detail or recording). */
const isListRequest = (r) => new URL(r.url()).pathname === "/api/calls";
const paramsOf = (r) => new URL(r.url()).searchParams;

/**
 * A local calendar day that has calls, a few days back (so a filter on it changes the list),
 * as the page sees it: its parts, the day before, and the API bounds the UI should send.
 */
async function dayWithCalls(page) {
  const res = await page.request.get(`${BASE_URL}/api/calls?limit=1000`);
  const { items } = await res.json();
  assert.ok(items.length > 50, `the demo has calls (${items.length})`);
  const iso = items[Math.floor(items.length / 2)].started_at;
  return page.evaluate((iso) => {
    const at = new Date(iso);
    const day = (offset) => {
      const d = new Date(at.getFullYear(), at.getMonth(), at.getDate() + offset);
      return { y: d.getFullYear(), m: d.getMonth() + 1, d: d.getDate(), midnight: d.toISOString() };
    };
    return { day: day(0), before: day(-1), twoBefore: day(-2), next: day(1) };
  }, iso);
}

/** The table's cells of the rendered rows, with what is needed to tell whether they are cut. */
function numberCells(page) {
  return page.$$eval(`${ROW} [data-testid="cell-caller"], ${ROW} [data-testid="cell-callee"]`, (cells) => {
    const table = document.querySelector('[data-testid="call-table"]');
    const tr = table.getBoundingClientRect();
    const visibleRight = tr.left + table.clientWidth;
    return cells
      .map((c) => {
        const r = c.getBoundingClientRect();
        return {
          text: c.textContent.trim(),
          scrollWidth: c.scrollWidth,
          clientWidth: c.clientWidth,
          right: r.right,
          top: r.top,
          visibleRight,
          visibleBottom: tr.top + table.clientHeight,
        };
      })
      .filter((c) => c.top < c.visibleBottom);
  });
}

/** Asserts every shown caller/callee is whole, grouped, and inside the table without scrolling. */
async function assertNumbersWhole(page, where) {
  const cells = await numberCells(page);
  assert.ok(cells.length >= 4, `${where}: number cells are rendered (${cells.length})`);
  let grouped = 0;
  for (const c of cells) {
    assert.ok(c.scrollWidth <= c.clientWidth, `${where}: "${c.text}" is cut (${c.scrollWidth} > ${c.clientWidth} px)`);
    assert.ok(c.right <= c.visibleRight + 0.5, `${where}: "${c.text}" is off the table's right edge`);
    const d = digitsOf(c.text);
    if (d.length === 11 && d.startsWith("7")) {
      assert.match(c.text, RU_NUMBER, `${where}: a Russian number is grouped`);
      grouped++;
    }
  }
  assert.ok(grouped > 0, `${where}: some Russian numbers are shown`);
}

/** The detail pane's rendered width (0 when not rendered or hidden). */
const paneWidth = (page) =>
  page.evaluate(() => document.querySelector('[data-testid="detail-pane"]')?.getBoundingClientRect().width ?? 0);

for (const [width, height] of [
  [1024, 700],
  [800, 600],
  [1920, 1080],
]) {
  test(`numbers are whole at ${width}×${height}; the closed detail pane takes no width`, async (t) => {
    const { page, errors } = await openPage(t, { width, height });
    await assertNumbersWhole(page, `${width}×${height}`);

    assert.equal(await paneWidth(page), 0, "no call open: the detail pane takes no width");
    const tableWidth = await page.$eval('[data-testid="call-table"]', (el) => el.getBoundingClientRect().width);
    assert.ok(tableWidth >= width - 1, `the table takes the window's width (${tableWidth} of ${width})`);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(ARTIFACTS, `layout-ru-${width}x${height}.png`) });

    // A call opened: its number is whole in the pane, and still whole in the table.
    await page.locator(ROW).first().click();
    const number = page.locator('[data-testid="detail-number"]');
    await number.waitFor({ state: "visible" });
    assert.match((await number.textContent()).trim(), RU_NUMBER, "the pane shows the grouped number");
    assert.ok(await number.evaluate((el) => el.scrollWidth <= el.clientWidth), "the pane's number is whole");
    assert.ok((await paneWidth(page)) > 0, "an open call shows the pane");
    const cells = await numberCells(page);
    for (const c of cells) assert.ok(c.scrollWidth <= c.clientWidth, `"${c.text}" is cut with the pane open`);
    await page.screenshot({ path: join(ARTIFACTS, `layout-ru-${width}x${height}-open.png`) });

    await page.keyboard.press("Escape");
    await page.waitForFunction(() => {
      const p = document.querySelector('[data-testid="detail-pane"]');
      return !p || p.getBoundingClientRect().width === 0;
    });
    assert.deepEqual(errors, [], "no uncaught errors in the page");
  });
}

test("the search finds a call by every form of its number and marks the digits", async (t) => {
  const { page } = await openPage(t, { width: 1400, height: 850 });
  const first = await page.$$eval(ROW, (rows) =>
    rows.slice(0, 5).map((r) => ({
      id: r.getAttribute("data-call-id"),
      direction: r.getAttribute("data-direction"),
      caller: r.querySelector('[data-testid="cell-caller"]').textContent.trim(),
      callee: r.querySelector('[data-testid="cell-callee"]').textContent.trim(),
    })),
  );
  // The outside party of one of the newest calls, so it is among the first rows of any result.
  const call = first.find((r) => {
    const n = r.direction === "incoming" ? r.caller : r.callee;
    return digitsOf(n).length === 11 && digitsOf(n).startsWith("7");
  });
  assert.ok(call, `a recent call with a Russian number: ${JSON.stringify(first)}`);
  const shown = call.direction === "incoming" ? call.caller : call.callee;
  const cell = call.direction === "incoming" ? "cell-caller" : "cell-callee";
  const n = digitsOf(shown).slice(1);
  const [a, b, c, d] = [n.slice(0, 3), n.slice(3, 6), n.slice(6, 8), n.slice(8)];

  const search = page.locator('[data-testid="number-search"]');
  for (const [typed, marked] of [
    [`+7 ${a} ${b}-${c}-${d}`, `7${n}`],
    [`8 (${a}) ${b}-${c}-${d}`, `7${n}`],
    [n, n],
    [n.slice(-4), n.slice(-4)],
  ]) {
    await search.fill(typed);
    await waitForList(page, digitsOf(typed));
    const row = page.locator(`${ROW}[data-call-id="${call.id}"]`);
    await row.waitFor({ state: "attached" });
    const text = (await row.locator(`[data-testid="${cell}"]`).textContent()).trim();
    assert.match(text, RU_NUMBER, `"${typed}": the number stays grouped`);
    const mark = row.locator(`[data-testid="${cell}"] mark`);
    assert.equal(await mark.count(), 1, `"${typed}" is marked in ${text}`);
    assert.equal(digitsOf(await mark.textContent()), marked, `"${typed}": the marked digits in ${text}`);
  }
  await search.press("Escape");
  await waitForList(page, "");
});

test("dates are typed as дд.мм.гггг: an empty field shows a placeholder, a typed day filters", async (t) => {
  const { page } = await openPage(t, { width: 1400, height: 850 });
  const from = page.locator('[data-testid="filter-from"]');
  const to = page.locator('[data-testid="filter-to"]');
  for (const f of [from, to]) {
    // A plain text field: WebKitGTK's date input shows today's date when empty.
    assert.equal(await f.getAttribute("type"), "text", "a text field, not the browser's date input");
    assert.equal(await f.inputValue(), "", "an empty field has no date");
    assert.equal(await f.getAttribute("placeholder"), "дд.мм.гггг", "and shows the format as a placeholder");
  }

  const { day, next } = await dayWithCalls(page);
  const request = page.waitForRequest(
    (r) => isListRequest(r) && paramsOf(r).get("from") === day.midnight && paramsOf(r).get("to") === next.midnight,
  );
  // Lenient forms: no leading zeros, and digits only.
  await from.fill(`${day.d}.${day.m}.${day.y}`);
  await from.press("Tab");
  await to.fill(`${pad(day.d)}${pad(day.m)}${day.y}`);
  await to.press("Enter");
  await request;

  const ddmm = `${pad(day.d)}.${pad(day.m)}`;
  await page.waitForFunction(
    ({ table, row, ddmm }) => {
      const t = document.querySelector(table);
      const times = [...document.querySelectorAll(`${row} [data-testid="cell-time"]`)].map((c) => c.textContent.trim());
      return t.getAttribute("data-state") === "ready" && times.length > 0 && times.every((x) => x.startsWith(`${ddmm} `));
    },
    { table: TABLE, row: ROW, ddmm },
  );
  const full = `${pad(day.d)}.${pad(day.m)}.${day.y}`;
  assert.equal(await from.inputValue(), full, "the typed date is shown in full");
  assert.equal(await to.inputValue(), full);
});

test("a preset sets both dates and filters", async (t) => {
  const { page } = await openPage(t, { width: 1400, height: 850 });
  const expected = await page.evaluate(() => {
    const now = new Date();
    const at = (offset) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset);
    const two = (n) => String(n).padStart(2, "0");
    const shown = (d) => `${two(d.getDate())}.${two(d.getMonth() + 1)}.${d.getFullYear()}`;
    const days = [];
    for (let i = -6; i <= 0; i++) days.push(shown(at(i)).slice(0, 5));
    return { from: shown(at(-6)), to: shown(at(0)), fromIso: at(-6).toISOString(), toIso: at(1).toISOString(), days };
  });
  const request = page.waitForRequest(
    (r) => isListRequest(r) && paramsOf(r).get("from") === expected.fromIso && paramsOf(r).get("to") === expected.toIso,
  );
  await page.locator('[data-testid="preset-7d"]').click();
  await request;
  assert.equal(await page.locator('[data-testid="filter-from"]').inputValue(), expected.from);
  assert.equal(await page.locator('[data-testid="filter-to"]').inputValue(), expected.to);
  assert.equal(await page.locator('[data-testid="preset-7d"]').getAttribute("aria-pressed"), "true");
  await page.waitForFunction(
    ({ table, row, days }) => {
      const t = document.querySelector(table);
      const times = [...document.querySelectorAll(`${row} [data-testid="cell-time"]`)].map((c) => c.textContent.trim());
      return t.getAttribute("data-state") === "ready" && times.length > 0 && times.every((x) => days.includes(x.slice(0, 5)));
    },
    { table: TABLE, row: ROW, days: expected.days },
  );
});

test("To before From is refused inline and never sent", async (t) => {
  const { page } = await openPage(t, { width: 1400, height: 850 });
  const from = page.locator('[data-testid="filter-from"]');
  const to = page.locator('[data-testid="filter-to"]');
  const { day, before, twoBefore } = await dayWithCalls(page);
  const shown = (x) => `${pad(x.d)}.${pad(x.m)}.${x.y}`;

  const fromSent = page.waitForRequest((r) => isListRequest(r) && paramsOf(r).get("from") === day.midnight);
  await from.fill(shown(day));
  await from.press("Enter");
  await fromSent;
  await waitForList(page, "");

  const sent = [];
  page.on("request", (r) => {
    if (isListRequest(r)) sent.push(paramsOf(r));
  });
  await to.fill(shown(before));
  await to.press("Enter");
  const error = page.locator('[data-testid="filter-to-error"]');
  await error.waitFor({ state: "visible" });
  assert.match(await error.textContent(), /«По» раньше/);
  assert.equal(await to.getAttribute("aria-invalid"), "true");

  // Any request for the bad range would have gone out before this one.
  const control = page.waitForRequest((r) => isListRequest(r) && paramsOf(r).get("direction") === "incoming");
  await page.locator('[data-testid="filter-direction"]').selectOption("incoming");
  await control;
  assert.ok(sent.length > 0);
  for (const p of sent) assert.equal(p.get("to"), null, `no end date was sent: ${p}`);
  assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0, "no API error banner");

  // Moving From back makes the refused To valid: it is taken without retyping it.
  const fixed = page.waitForRequest(
    (r) => isListRequest(r) && paramsOf(r).get("from") === twoBefore.midnight && paramsOf(r).get("to") === day.midnight,
  );
  await from.fill(shown(twoBefore));
  await from.press("Enter");
  await fixed;
  await error.waitFor({ state: "detached" });
  assert.equal(await to.getAttribute("aria-invalid"), null);
});

test("dates in the English UI: ISO form, invalid text flagged", async (t) => {
  const { page } = await openPage(t, { width: 1400, height: 850, locale: "en-US" });
  const from = page.locator('[data-testid="filter-from"]');
  const to = page.locator('[data-testid="filter-to"]');
  assert.equal(await from.getAttribute("placeholder"), "yyyy-mm-dd");
  assert.equal(await from.inputValue(), "");

  const { day } = await dayWithCalls(page);
  const iso = `${day.y}-${pad(day.m)}-${pad(day.d)}`;
  const sent = page.waitForRequest((r) => isListRequest(r) && paramsOf(r).get("from") === day.midnight);
  await from.fill(`${day.y}-${day.m}-${day.d}`);
  await from.press("Enter");
  await sent;
  assert.equal(await from.inputValue(), iso);

  const later = [];
  page.on("request", (r) => {
    if (isListRequest(r)) later.push(paramsOf(r));
  });
  await to.fill("31.02.2026");
  await to.press("Enter");
  await page.locator('[data-testid="filter-to-error"]').waitFor({ state: "visible" });
  assert.equal(await to.getAttribute("aria-invalid"), "true");
  const control = page.waitForRequest((r) => isListRequest(r) && paramsOf(r).get("direction") === "outgoing");
  await page.locator('[data-testid="filter-direction"]').selectOption("outgoing");
  await control;
  for (const p of later) assert.equal(p.get("to"), null, `an invalid date was not sent: ${p}`);
});

/** Ten accounts in every state, two with provider errors. */
function fakeAccounts() {
  const states = ["ok", "syncing", "error", "idle", "ok", "unsupported", "ok", "error", "syncing", "ok"];
  return states.map((state, i) => ({
    account: `acc-${i + 1}`,
    name: `Офис ${i + 1} — линия продаж`,
    provider: "mtt",
    state,
    last_success: i % 3 === 0 ? null : "2026-11-24T10:15:00Z",
    last_error:
      state === "error"
        ? {
            code: "provider",
            message: `sync failed for account ${i + 1}`,
            provider: { provider: "mtt", code: `404.10${i}`, message: `Subscriber ${i + 1} not found` },
          }
        : null,
    calls_synced: 1000 + i,
    next_attempt: null,
  }));
}

for (const [width, height] of [
  [1024, 700],
  [800, 600],
]) {
  test(`ten account badges at ${width}×${height}: each reachable by Tab, in view, with its details`, async (t) => {
    const accounts = fakeAccounts();
    const { page } = await openPage(t, {
      width,
      height,
      setup: (p) =>
        p.route("**/api/accounts", (route) =>
          route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(accounts) }),
        ),
    });
    await page.locator('[data-testid="account-badge"]').first().waitFor({ state: "visible" });
    await page.evaluate(() => document.activeElement?.blur());

    const reached = new Map();
    let key = "Tab";
    for (let i = 0; i < 60 && reached.size < accounts.length; i++) {
      await page.keyboard.press(key);
      const f = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const inView = (r) => r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
        const account = el.getAttribute("data-account");
        const details = account && document.querySelector(`[data-testid="account-details"][data-account="${account}"]`);
        return {
          testid: el.getAttribute("data-testid"),
          expanded: el.getAttribute("aria-expanded"),
          account,
          inView: inView(el.getBoundingClientRect()),
          details: details
            ? {
                shown: getComputedStyle(details).display !== "none",
                inView: inView(details.getBoundingClientRect()),
                text: details.textContent,
              }
            : null,
        };
      });
      // The "+N" control opens the rest with Enter, as a keyboard user would.
      key = f?.testid === "accounts-more" && f.expanded === "false" ? "Enter" : "Tab";
      if (f?.testid !== "account-badge" || !f.account.startsWith("acc-")) continue;
      const a = accounts.find((x) => x.account === f.account);
      assert.ok(f.inView, `${f.account} is inside the window when focused`);
      assert.ok(f.details?.shown, `${f.account} shows its details on focus`);
      assert.ok(f.details.inView, `${f.account}'s details are inside the window`);
      assert.ok(f.details.text.includes(a.name), `${f.account}'s details name it`);
      if (a.last_error) {
        assert.ok(f.details.text.includes(a.last_error.provider.code), `${f.account}'s details give the provider's code`);
        assert.ok(f.details.text.includes(a.last_error.provider.message), `and its message`);
      }
      reached.set(f.account, true);
    }
    assert.deepEqual(
      accounts.map((a) => a.account).filter((a) => !reached.has(a)),
      [],
      "every account badge was reached with the keyboard",
    );

    // None of the badges left in the header is cut by it.
    const cut = await page.$$eval('[data-testid="account-badges"] > [data-testid="account-badge"]', (badges) => {
      const row = badges[0]?.parentElement.getBoundingClientRect();
      return badges
        .filter((b) => {
          const r = b.getBoundingClientRect();
          return r.left < row.left - 0.5 || r.right > row.right + 0.5;
        })
        .map((b) => b.getAttribute("data-account"));
    });
    assert.deepEqual(cut, [], "no badge in the header is cut");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `layout-badges-${width}x${height}.png`) });
  });
}
