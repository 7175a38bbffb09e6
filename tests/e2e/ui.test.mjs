// Browser tests of the callboard web UI.
//
// Needs a running `callboard-server --demo` that serves the built UI (ui/dist);
// its address comes from CALLBOARD_URL (default http://127.0.0.1:8787).
// Chromium is the system one (/usr/bin/chromium, or CHROMIUM_PATH); nothing is downloaded.
//
//   cd tests/e2e && npm ci && CALLBOARD_URL=http://127.0.0.1:8787 npm test

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./browser.mjs";

const BASE_URL = process.env.CALLBOARD_URL ?? "http://127.0.0.1:8787";
// Russian UI by default (the operators'); CALLBOARD_LOCALE=en-US for the English one.
const LOCALE = process.env.CALLBOARD_LOCALE ?? "ru-RU";
const TIMEOUT = Number(process.env.CALLBOARD_E2E_TIMEOUT ?? 20_000);
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

const ROW = '[data-testid="call-row"]';
const TABLE = '[data-testid="call-table"]';

/** @type {import("playwright-core").Browser | undefined} */
let browser;
/** @type {import("playwright-core").Page} */
let page;
const pageErrors = [];

before(async () => {
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1400, height: 850 }, locale: LOCALE });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(BASE_URL, { waitUntil: "domcontentloaded" });
});

after(async () => {
  try {
    if (page) {
      mkdirSync(ARTIFACTS, { recursive: true });
      // A calm picture for the README: the player paused, no hover effects.
      await page.evaluate(() => document.querySelector('[data-testid="player-audio"]')?.pause()).catch(() => {});
      await page.mouse.move(0, 0).catch(() => {});
      await page.screenshot({ path: join(ARTIFACTS, "ui.png") });
    }
  } finally {
    await browser?.close();
  }
});

/** The rows the table currently renders, as plain data. */
function renderedRows() {
  return page.$$eval(ROW, (rows) =>
    rows.map((r) => ({
      id: r.getAttribute("data-call-id"),
      direction: r.getAttribute("data-direction"),
      caller: r.querySelector('[data-testid="cell-caller"]')?.textContent?.trim() ?? "",
      callee: r.querySelector('[data-testid="cell-callee"]')?.textContent?.trim() ?? "",
    })),
  );
}

const digitsOf = (s) => s.replace(/\D+/g, "");

/** Waits until the table shows the answer to a query whose number filter is `digits` ("" for none). */
async function waitForList(digits) {
  await page.waitForFunction(
    ({ table, digits }) => {
      const t = document.querySelector(table);
      return !!t && t.getAttribute("data-state") === "ready" && (t.getAttribute("data-number") ?? "") === digits;
    },
    { table: TABLE, digits },
  );
}

test("history loads with the demo badge", async () => {
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length >= 20, ROW);
  const rows = await page.locator(ROW).count();
  assert.ok(rows >= 20, `expected at least 20 call rows, got ${rows}`);
  await page.locator('[data-testid="demo-badge"]').waitFor({ state: "visible" });
  assert.ok(await page.locator('[data-testid="demo-badge"]').isVisible(), "demo badge is visible");
  await page.locator('[data-testid="account-badge"]').first().waitFor({ state: "visible" });
  assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
});

test("number search narrows the list", async () => {
  await waitForList("");
  const before = await renderedRows();
  const countBefore = Number(await page.getAttribute(TABLE, "data-count"));
  assert.ok(before.length > 0, "rows before the search");

  // The last 4 digits of the first row's outside party (caller when incoming, else callee);
  // if every rendered row already has them (the account's own number...), the next row's.
  let digits = "";
  for (const r of [before[0], ...before.slice(1)]) {
    const candidates = r.direction === "incoming" ? [r.caller, r.callee] : [r.callee, r.caller];
    for (const n of candidates) {
      const d = digitsOf(n).slice(-4);
      if (d.length < 4) continue;
      const all = before.every((x) => digitsOf(x.caller).includes(d) || digitsOf(x.callee).includes(d));
      if (!all) {
        digits = d;
        break;
      }
    }
    if (digits) break;
  }
  assert.ok(digits, `no usable 4-digit run in ${JSON.stringify(before.slice(0, 3))}`);

  const search = page.locator('[data-testid="number-search"]');
  await search.click();
  await search.fill(digits);

  await page.waitForFunction(
    ({ table, row, digits }) => {
      const t = document.querySelector(table);
      if (!t || t.getAttribute("data-state") !== "ready" || t.getAttribute("data-number") !== digits) return false;
      const rows = [...document.querySelectorAll(row)];
      const d = (el) => (el?.textContent ?? "").replace(/\D+/g, "");
      return (
        rows.length > 0 &&
        rows.every(
          (r) =>
            d(r.querySelector('[data-testid="cell-caller"]')).includes(digits) ||
            d(r.querySelector('[data-testid="cell-callee"]')).includes(digits),
        )
      );
    },
    { table: TABLE, row: ROW, digits },
  );

  const afterRows = await renderedRows();
  const countAfter = Number(await page.getAttribute(TABLE, "data-count"));
  for (const r of afterRows) {
    assert.ok(
      digitsOf(r.caller).includes(digits) || digitsOf(r.callee).includes(digits),
      `row ${r.id} (${r.caller} → ${r.callee}) does not contain ${digits}`,
    );
  }
  const idsBefore = before.map((r) => r.id).join(",");
  const idsAfter = afterRows.map((r) => r.id).join(",");
  assert.ok(
    countAfter < countBefore || afterRows.length < before.length || idsAfter !== idsBefore,
    `the list did not change (${countBefore} → ${countAfter} loaded, ${before.length} → ${afterRows.length} rendered)`,
  );

  // Esc clears the search and brings the whole history back.
  await search.press("Escape");
  assert.equal(await search.inputValue(), "");
  await waitForList("");
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length >= 20, ROW);
});

test("a recording plays and seeks (HTTP Range)", async () => {
  await waitForList("");

  // A row with a recording of some length; scroll down if none is rendered.
  const pickRow = () =>
    page.$$eval(ROW, (rows) => {
      const rec = rows.filter((r) => r.getAttribute("data-has-recording") === "true");
      const best =
        rec.find((r) => Number(r.getAttribute("data-talk-secs")) >= 5) ??
        rec[0];
      return best ? best.getAttribute("data-call-id") : null;
    });
  let id = await pickRow();
  for (let i = 0; !id && i < 40; i++) {
    await page.$eval(TABLE, (t) => {
      t.scrollTop += t.clientHeight;
    });
    // Let the scroll event re-render the rows (two frames), then look again.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    id = await pickRow();
  }
  assert.ok(id, "found a call with a recording");

  const row = page.locator(`${ROW}[data-call-id="${id}"]`);
  await row.locator('[data-testid="rec-indicator"]').waitFor({ state: "visible" });
  await row.click();

  // Parts are fetched from the provider on first use: the play button waits for them.
  const play = page.locator('[data-testid="play"]');
  await page.waitForFunction(() => {
    const b = document.querySelector('[data-testid="play"]');
    return !!b && !b.disabled;
  });
  await play.click();

  await page.waitForFunction(() => {
    const a = document.querySelector('[data-testid="player-audio"]');
    return !!a && !a.paused && a.currentTime > 0.3;
  });
  const t0 = await page.$eval('[data-testid="player-audio"]', (a) => a.currentTime);

  // Drag the seek bar to 2.0 s (as the range input reports it).
  await page.$eval('[data-testid="seek"]', (el) => {
    el.value = "2";
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await page.waitForFunction(() => {
    const a = document.querySelector('[data-testid="player-audio"]');
    return !!a && a.currentTime >= 1.9;
  });
  const t1 = await page.$eval('[data-testid="player-audio"]', (a) => a.currentTime);
  assert.ok(t1 >= 1.9, `currentTime after the seek: ${t1}`);
  assert.ok(t1 > t0, `seek moved forward (${t0} → ${t1})`);
  assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
});

test("an update that arrives while the first page loads is not lost", async () => {
  // A page of its own, with the network and the clock in the test's hands: the first list
  // request is held and then answered as if read before the sync committed (empty), while
  // the event stream has already said "calls synced". The UI must re-read on its own.
  const context = await browser.newContext({ viewport: { width: 1200, height: 700 }, locale: LOCALE });
  try {
    const p = await context.newPage();
    p.setDefaultTimeout(TIMEOUT);
    const errors = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    // Records what the page's EventSources receive, before the app's own handler runs.
    await p.addInitScript(() => {
      window.__sse = [];
      const Native = window.EventSource;
      window.EventSource = class extends Native {
        constructor(...args) {
          super(...args);
          this.addEventListener("message", (m) => window.__sse.push(m.data));
        }
      };
    });
    await p.clock.install();
    await p.clock.pauseAt(Date.now() + 1000);

    let eventStreams = 0;
    await p.route("**/api/events", (route) => {
      if (eventStreams++ > 0) return route.continue();
      const ev = { type: "calls_synced", account: "mtt-demo", inserted: 3, updated: 0 };
      return route.fulfill({
        status: 200,
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
        body: `retry: 600000\ndata: ${JSON.stringify(ev)}\n\n`,
      });
    });
    let listRequests = 0;
    let releaseFirst;
    const firstHeld = new Promise((r) => (releaseFirst = r));
    await p.route("**/api/calls?*", async (route) => {
      if (listRequests++ > 0) return route.continue();
      await firstHeld;
      return route.fulfill({ status: 200, contentType: "application/json", body: '{"items":[],"next_cursor":null}' });
    });

    await p.goto(BASE_URL, { waitUntil: "domcontentloaded" });
    const until = async (what, fn) => {
      for (const end = Date.now() + TIMEOUT; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        if (await p.evaluate(fn)) return;
      }
      assert.fail(`timed out waiting for ${what}`);
    };
    await until("the calls_synced event", () => window.__sse.length >= 1);
    assert.equal(listRequests, 1, "the first page is still loading");
    // Any refresh the event scheduled runs now, while the first page is still in flight.
    await p.clock.runFor(1000);
    releaseFirst();
    await until("the (stale, empty) first page", () => {
      const t = document.querySelector('[data-testid="call-table"]');
      return t?.getAttribute("data-state") === "ready";
    });
    await p.clock.resume();
    await until("the calls the event announced", () => document.querySelectorAll('[data-testid="call-row"]').length > 0);
    assert.ok(listRequests >= 2, `the list was read again (${listRequests} requests)`);
    assert.deepEqual(errors, [], "no uncaught errors in the page");
  } finally {
    await context.close();
  }
});
