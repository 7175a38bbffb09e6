// The desktop binary, driven for real: tauri-driver (with WebKitWebDriver) opens the window
// under Xvfb; the tests read what the window shows, type into it, and answer its native
// save dialog with xdotool.
// Env: CALLBOARD_APP (the built binary), TAURI_DRIVER_URL (default http://127.0.0.1:4444),
// CALLBOARD_DOWNLOAD_DIR (the downloads folder the app's environment names),
// CALLBOARD_FRESH_STARTS (default 10).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Builder, By, Key, until } from "selenium-webdriver";

const here = dirname(fileURLToPath(import.meta.url));
const app = process.env.CALLBOARD_APP;
const server = process.env.TAURI_DRIVER_URL ?? "http://127.0.0.1:4444";
const downloads = process.env.CALLBOARD_DOWNLOAD_DIR;
const FRESH_STARTS = Number(process.env.CALLBOARD_FRESH_STARTS ?? 10);
const TIMEOUT = 60_000;
const ROW = '[data-testid="call-row"]';
/** The window of the main tests (one session for all of them). */
let driver;

/** Opens the app in a new WebDriver session with `args`. */
function openWindow(args) {
  return new Builder()
    .usingServer(server)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: app, args } })
    .build();
}

// WebKitWebDriver's getText() leaves out some table cells; the DOM's text is what was rendered.
const textOf = (d, el) => d.executeScript("return arguments[0].textContent", el);

/** What the window shows, for a failure message: the list, the banner, the badges, the stream. */
const windowState = (d) =>
  d
    .executeScript(
      `const t = document.querySelector('[data-testid="call-table"]');
       const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim()).join(" | ");
       return JSON.stringify({
         table: t && Object.fromEntries([...t.attributes].filter((a) => a.name.startsWith("data-")).map((a) => [a.name, a.value])),
         rows: document.querySelectorAll('[data-testid="call-row"]').length,
         banner: text('[data-testid="error-banner"]'),
         connection: text('[data-testid="connection-lost"]'),
         liveEvents: document.documentElement.dataset.liveEvents ?? "0",
         accounts: [...document.querySelectorAll('[data-testid="account-badge"]')].map((b) => b.dataset.state + "@" + b.dataset.lastSuccess),
       });`,
    )
    .catch((e) => `(cannot read the window: ${e})`);

/** `d.wait`, but a timeout says what the window showed. */
async function waitFor(d, condition, what, timeout = TIMEOUT) {
  try {
    return await d.wait(condition, timeout);
  } catch (e) {
    throw new Error(`${what}: ${e.message}; the window showed ${await windowState(d)}`, { cause: e });
  }
}

const rowCount = async (d) => (await d.findElements(By.css(ROW))).length;
const liveEvents = async (d) => Number(await d.executeScript("return document.documentElement.dataset.liveEvents ?? 0"));
const lastSuccess = (d) =>
  d.executeScript(`return document.querySelector('[data-testid="account-badge"]')?.dataset.lastSuccess ?? null`);

before(async () => {
  assert.ok(app, "CALLBOARD_APP names the desktop binary");
  driver = await openWindow(["--demo"]);
});

after(async () => {
  await driver?.quit();
});

test("the window lists demo calls, says demo, and plays a recording", async () => {
  const badge = await waitFor(driver, until.elementLocated(By.css('[data-testid="demo-badge"]')), "the demo badge");
  assert.match((await textOf(driver, badge)).toLowerCase(), /demo|демо/);
  // The first sync fills the list; rows are virtualized, so count what is rendered.
  await waitFor(driver, async () => (await rowCount(driver)) >= 10, "ten call rows");
  const rows = await driver.findElements(By.css(ROW));
  const first = await textOf(driver, rows[0]);
  assert.match(first, /\+7 \d{3} \d{3}-\d{2}-\d{2}/, `a row shows a phone number as operators read it: ${first}`);
  // Open a call with a recording, so the screenshot shows the detail pane and player.
  const withRecording = await driver.findElements(By.css(`${ROW}[data-has-recording="true"]`));
  assert.ok(withRecording.length > 0, "some demo calls have recordings");
  await withRecording[0].click();
  const play = await waitFor(driver, until.elementLocated(By.css('[data-testid="play"]')), "the play button");
  // The recording plays in WebKitGTK: its clock advances (served over loopback HTTP,
  // since GStreamer cannot read Tauri's custom schemes).
  await waitFor(driver, until.elementIsEnabled(play), "the recording's parts");
  await play.click();
  const audio = await driver.findElement(By.css('[data-testid="player-audio"]'));
  await waitFor(
    driver,
    async () => Number(await driver.executeScript("return arguments[0].currentTime", audio)) > 0.3,
    "the recording to play",
  );
  assert.equal(await driver.executeScript("return arguments[0].error", audio), null);
  await driver.executeScript("arguments[0].pause()", audio);
  // The README's picture: the window at 1024×700, where numbers were once cut off.
  await driver.manage().window().setRect({ width: 1024, height: 700 });
  await waitFor(driver, async () => (await driver.executeScript("return window.innerWidth")) <= 1024, "the window at 1024 px");
  // Measured in one script: the virtualized rows re-render as the window shrinks.
  const clipped = await driver.executeScript(
    `return [...document.querySelectorAll('[data-testid="cell-caller"], [data-testid="cell-callee"]')]
       .filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent)`,
  );
  assert.deepEqual(clipped, [], "every number whole at 1024 px");
  // Let the frame settle before the screenshot (two animation frames).
  await driver.executeAsyncScript("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));");
  mkdirSync(join(here, "artifacts"), { recursive: true });
  writeFileSync(join(here, "artifacts", "window.png"), await driver.takeScreenshot(), "base64");
});

test("an unanswered incoming call rings in the window, and the tray's count of calls to return goes up", async () => {
  await waitFor(driver, async () => (await rowCount(driver)) > 0, "the demo's calls");
  const invoke = (cmd, args) =>
    driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(done, (e) => done({ error: e }));`,
      cmd,
      args ?? {},
    );
  const status = async () => {
    const s = await invoke("desktop_status");
    assert.ok(!s.error, JSON.stringify(s));
    return s;
  };
  // The tray shows the queue's length as the backend counts it.
  await waitFor(
    driver,
    async () => (await status()).missed === (await invoke("missed_queue", { query: {} })).total,
    "the tray to count the missed queue",
  );
  const before = await status();
  assert.equal(before.tray_label, before.missed === 0 ? "" : String(before.missed));
  // A caller nobody has called: once missed, one more number waits to be called back.
  const caller = "7977" + String(Date.now()).slice(-7);
  const placed = await invoke("demo_call", { call: { provider: "sprecord", caller, answered: false, ring_secs: 1, talk_secs: 1 } });
  assert.ok(!placed.error, JSON.stringify(placed));
  // Other calls keep coming in the demo: wait for ours in the queue, then for the tray to
  // show the queue's length with it.
  let total = 0;
  await waitFor(
    driver,
    async () => {
      const q = await invoke("missed_queue", { query: { limit: 1000 } });
      total = q.total;
      return q.callers.some((c) => c.number === placed.caller);
    },
    `${placed.caller} in the missed queue`,
  );
  await waitFor(driver, async () => (await status()).missed >= total, `the tray's count to reach ${total}`);
  const after = await status();
  assert.ok(after.missed > 0);
  assert.equal(after.tray_label, String(after.missed));
  assert.match(after.tray_tooltip, new RegExp(`${after.missed} missed`));
  // The call was announced: a notification was tried (shown, or found unavailable).
  assert.ok(after.notified > before.notified, JSON.stringify(after));
  assert.notEqual(after.notifications_available, null);

  // The bell turns them off (kept by the backend) and on again.
  const bell = await waitFor(driver, until.elementLocated(By.css('[data-testid="notifications-toggle"]')), "the notifications toggle");
  assert.equal(await bell.getAttribute("data-enabled"), "true");
  await bell.click();
  await waitFor(driver, async () => (await status()).notifications === false, "notifications off");
  await waitFor(driver, async () => (await bell.getAttribute("data-enabled")) === "false", "the bell showing off");
  await bell.click();
  await waitFor(driver, async () => (await status()).notifications === true, "notifications on again");
});

test("Download opens the native save dialog and saves the recording under a meaningful name", async () => {
  assert.ok(downloads, "CALLBOARD_DOWNLOAD_DIR names the app's downloads folder");
  const before = new Set(existsSync(downloads) ? readdirSync(downloads) : []);
  const download = await waitFor(driver, until.elementLocated(By.css('[data-testid="download"]')), "the download button");
  await waitFor(driver, until.elementIsEnabled(download), "download enabled");
  // By keyboard: the button takes focus and Enter presses it.
  await driver.executeScript("arguments[0].focus()", download);
  await driver.switchTo().activeElement().sendKeys(Key.ENTER);
  // The GTK file chooser opens pre-filled in the downloads folder; Enter accepts it.
  const run = promisify(execFile);
  const { stdout } = await run("xdotool", ["search", "--sync", "--onlyvisible", "--name", "^Save File$"], { timeout: 30_000 });
  const dialog = stdout.trim().split("\n")[0];
  await run("xdotool", ["windowfocus", "--sync", dialog]);
  await run("xdotool", ["key", "--clearmodifiers", "Return"]);
  const saved = await waitFor(
    driver,
    async () => (existsSync(downloads) ? readdirSync(downloads).filter((f) => !before.has(f)) : [])[0],
    "a saved file in the downloads folder",
  );
  // The opened call is whichever recorded call is newest: WAV (MTT, Beeline, SpRecord) or MP3 (MOR).
  assert.match(saved, /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_\+?\d+(_part\d+)?\.(wav|mp3)$/, `date, time, number, part: ${saved}`);
  await waitFor(driver, async () => statSync(join(downloads, saved)).size > 44, "the audio written");
});

test("dates are typed in the locale's format and filter the list", async () => {
  const from = await driver.findElement(By.css('[data-testid="filter-from"]'));
  const to = await driver.findElement(By.css('[data-testid="filter-to"]'));
  const placeholder = await from.getAttribute("placeholder");
  const y = new Date();
  y.setDate(y.getDate() - 1);
  const pad = (n) => String(n).padStart(2, "0");
  // WebKitGTK's own date input overwrote segments as they were typed: type the whole date.
  const typed = /дд|dd\.mm/i.test(placeholder)
    ? `${pad(y.getDate())}.${pad(y.getMonth() + 1)}.${y.getFullYear()}`
    : `${y.getFullYear()}-${pad(y.getMonth() + 1)}-${pad(y.getDate())}`;
  for (const field of [from, to]) {
    await field.clear();
    await field.sendKeys(typed, Key.TAB);
  }
  assert.equal(await from.getAttribute("value"), typed, "the typed date stays as typed");
  const start = new Date(y.getFullYear(), y.getMonth(), y.getDate()).getTime();
  const end = start + 24 * 3600 * 1000;
  await waitFor(
    driver,
    async () => {
      const table = await driver.findElement(By.css('[data-testid="call-table"]'));
      if ((await table.getAttribute("data-state")) !== "ready") return false;
      const started = await driver.executeScript(
        `return [...document.querySelectorAll('${ROW}')].map((r) => Date.parse(r.dataset.started))`,
      );
      return started.length > 0 && started.every((t) => t >= start && t < end);
    },
    `only yesterday's calls (${typed})`,
  );
  await driver.findElement(By.css('[data-testid="filters-reset"]')).click();
});

test("a Tauri command reaches the backend: searching narrows the list", async () => {
  await waitFor(driver, async () => (await rowCount(driver)) > 0, "the list has rows");
  // Rows are read in one script, so a live update re-rendering the list between two
  // WebDriver calls cannot mix two calls' cells into one row.
  const snapshot = () =>
    driver.executeScript(
      (row) =>
        [...document.querySelectorAll(row)].map((r) => ({
          id: r.getAttribute("data-call-id"),
          numbers: ["cell-caller", "cell-callee"].map((c) => (r.querySelector(`[data-testid="${c}"]`)?.textContent ?? "").replace(/\D/g, "")),
        })),
      ROW,
    );
  const [first] = await snapshot();
  const digits = first.numbers[0].slice(-4);
  const search = await driver.findElement(By.css('[data-testid="number-search"]'));
  await search.sendKeys(digits);
  const table = await driver.findElement(By.css('[data-testid="call-table"]'));
  await waitFor(
    driver,
    async () => (await table.getAttribute("data-number")) === digits && (await table.getAttribute("data-state")) === "ready",
    `the list for ${digits}`,
  );
  const shown = await snapshot();
  assert.ok(shown.length >= 1);
  for (const r of shown) assert.ok(r.numbers.some((n) => n.includes(digits)), `every row has ${digits}: ${r.numbers}`);
  assert.ok(
    shown.some((r) => r.id === first.id),
    "the call searched for is listed",
  );
});

// The window once lost its live stream on every start (the core commands, `listen` among
// them, were refused): a fresh start shows the list whatever happens, so only a status
// that changes while the window watches proves events arrive.
test(`${FRESH_STARTS} fresh starts: each window lists calls and hears its account's status change`, async () => {
  // One window at a time: WebKitWebDriver drives one session.
  await driver?.quit();
  driver = null;
  for (let i = 1; i <= FRESH_STARTS; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), "callboard-fresh-"));
    const d = await openWindow(["--demo", "--data-dir", dataDir]);
    try {
      await waitFor(d, async () => (await rowCount(d)) >= 10, `start ${i}: ten call rows`);
      const seen = await lastSuccess(d);
      // The demo polls every 15 s: the next pass (or the first, if the window was quicker)
      // changes the badge, and only an event can tell the window so before its 60 s re-read.
      await waitFor(
        d,
        async () => (await lastSuccess(d)) !== seen && (await lastSuccess(d)) && (await liveEvents(d)) > 0,
        `start ${i}: a live status change after ${seen}`,
        40_000,
      );
    } finally {
      await d.quit();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
});

test("a broken config opens the window anyway and says where it broke", async () => {
  const dir = mkdtempSync(join(tmpdir(), "callboard-broken-"));
  const config = join(dir, "callboard.toml");
  writeFileSync(config, '[[accounts]]\nid = "office"\nname = "Office\nprovider = "mtt"\n');
  const d = await openWindow(["--config", config, "--data-dir", join(dir, "data")]);
  try {
    const where = await waitFor(d, until.elementLocated(By.css('[data-testid="startup-where"]')), "the start-up error");
    const text = await textOf(d, where);
    assert.ok(text.includes("callboard.toml"), `names the file: ${text}`);
    assert.match(text, /3/, `names line 3: ${text}`);
    assert.ok((await textOf(d, await d.findElement(By.css('[data-testid="startup-detail"]')))).length > 0);
  } finally {
    await d.quit();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- issue 6 §3: recording formats
describe("recording formats in WebKitGTK", () => {
  // What each provider format is served as; found through the backend's own commands (a part
  // says what the provider sent once downloaded), played from the desktop's media server.
  const FORMATS = ["pcm_s16le", "pcm_alaw", "pcm_mulaw", "mp3"];

  test("PCM, A-law and µ-law WAV and MP3 recordings each play", async () => {
    // A window of its own (WebKitWebDriver drives one session), on a fresh demo.
    await driver?.quit();
    driver = null;
    const dataDir = mkdtempSync(join(tmpdir(), "callboard-formats-"));
    const d = await openWindow(["--demo", "--data-dir", dataDir]);
    try {
      await playEach(d);
    } finally {
      await d.quit();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  async function playEach(driver) {
    await waitFor(driver, async () => (await rowCount(driver)) > 0, "the demo's calls");
    const found = await driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       const want = arguments[0];
       const invoke = window.__TAURI_INTERNALS__.invoke;
       (async () => {
         const found = {};
         for (const provider of ["mtt", "mor"]) {
           const page = await invoke("list_calls", { query: { provider, limit: 200 } });
           for (const call of page.items.filter((c) => c.has_recording)) {
             if (want.every((w) => found[w])) break;
             const [part] = await invoke("recording_parts", { id: call.id });
             const src = await invoke("recording_url", { id: call.id, index: part.index });
             // The first load downloads and decodes it (fetch() would need CORS: the media
             // server is another origin than the window's).
             if (!part.source_codec) {
               await new Promise((ok) => {
                 const a = new Audio();
                 a.preload = "auto";
                 a.onloadedmetadata = a.onerror = () => ok();
                 a.src = src;
               });
             }
             const [known] = await invoke("recording_parts", { id: call.id });
             if (known.source_codec && !found[known.source_codec]) found[known.source_codec] = src;
           }
         }
         return found;
       })().then(done, (e) => done({ error: String(e) }));`,
      FORMATS,
    );
    assert.deepEqual(Object.keys(found).sort(), [...FORMATS].sort(), JSON.stringify(found));
    for (const codec of FORMATS) {
      await driver.executeScript(
        `document.getElementById("format-under-test")?.remove();
         const a = document.createElement("audio");
         a.id = "format-under-test";
         a.addEventListener("playing", () => (a.dataset.playing = "yes"));
         a.addEventListener("error", () => (a.dataset.error = String(a.error?.code)));
         a.src = arguments[0];
         document.body.append(a);
         a.play().catch((e) => (a.dataset.error = String(e)));`,
        found[codec],
      );
      const state = () =>
        driver.executeScript(
          `const a = document.getElementById("format-under-test");
           return { playing: a.dataset.playing ?? null, error: a.dataset.error ?? null, time: a.currentTime, duration: a.duration };`,
        );
      await waitFor(driver, async () => {
        const s = await state();
        return s.error !== null || (s.playing && s.time > 0.3);
      }, `the ${codec} recording to play`);
      const s = await state();
      assert.equal(s.error, null, `${codec}: ${s.error}`);
      assert.ok(Number.isFinite(s.duration) && s.duration > 1, `${codec}: duration ${s.duration}`);
      await driver.executeScript(`document.getElementById("format-under-test").pause()`);
    }
  }
});
