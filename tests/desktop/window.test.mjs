// The desktop binary in demo mode, driven for real: tauri-driver (with WebKitWebDriver)
// opens the window under Xvfb; the test reads what the window shows.
// Env: CALLBOARD_APP (the built binary), TAURI_DRIVER_URL (default http://127.0.0.1:4444).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Builder, By, until } from "selenium-webdriver";

// WebKitWebDriver's getText() leaves out some table cells; the DOM's text is what was rendered.
const textOf = (el) => driver.executeScript("return arguments[0].textContent", el);

/** What the window shows, for a failure message: the list's state, the banner, the badges. */
const windowState = () =>
  driver
    .executeScript(
      `const t = document.querySelector('[data-testid="call-table"]');
       const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim()).join(" | ");
       return JSON.stringify({
         table: t && Object.fromEntries([...t.attributes].filter((a) => a.name.startsWith("data-")).map((a) => [a.name, a.value])),
         rows: document.querySelectorAll('[data-testid="call-row"]').length,
         banner: text('[data-testid="error-banner"]'),
         accounts: text('[data-testid="account-badge"]'),
       });`,
    )
    .catch((e) => `(cannot read the window: ${e})`);

/** `driver.wait`, but a timeout says what the window showed. */
async function waitFor(condition, what) {
  try {
    return await driver.wait(condition, TIMEOUT);
  } catch (e) {
    throw new Error(`${what}: ${e.message}; the window showed ${await windowState()}`, { cause: e });
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const app = process.env.CALLBOARD_APP;
const server = process.env.TAURI_DRIVER_URL ?? "http://127.0.0.1:4444";
const TIMEOUT = 60_000;
let driver;

before(async () => {
  assert.ok(app, "CALLBOARD_APP names the desktop binary");
  driver = await new Builder()
    .usingServer(server)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: app, args: ["--demo"] } })
    .build();
});

after(async () => {
  await driver?.quit();
});

test("the window lists demo calls, says demo, and plays a recording", async () => {
  const badge = await waitFor(until.elementLocated(By.css('[data-testid="demo-badge"]')), "the demo badge");
  assert.match((await textOf(badge)).toLowerCase(), /demo|демо/);
  // The first sync fills the list; rows are virtualized, so count what is rendered.
  await waitFor(
    async () => (await driver.findElements(By.css('[data-testid="call-row"]'))).length >= 10,
    "ten call rows",
  );
  const rows = await driver.findElements(By.css('[data-testid="call-row"]'));
  const first = await textOf(rows[0]);
  assert.match(first, /\+7 \d{3} \d{3}-\d{2}-\d{2}/, `a row shows a phone number as operators read it: ${first}`);
  // Open a call with a recording, so the screenshot shows the detail pane and player.
  const withRecording = await driver.findElements(By.css('[data-testid="call-row"][data-has-recording="true"]'));
  assert.ok(withRecording.length > 0, "some demo calls have recordings");
  await withRecording[0].click();
  const play = await waitFor(until.elementLocated(By.css('[data-testid="play"]')), "the play button");
  // The recording plays in WebKitGTK: its clock advances (served over loopback HTTP,
  // since GStreamer cannot read Tauri's custom schemes).
  await waitFor(until.elementIsEnabled(play), "the recording's parts");
  await play.click();
  const audio = await driver.findElement(By.css('[data-testid="player-audio"]'));
  await waitFor(
    async () => Number(await driver.executeScript("return arguments[0].currentTime", audio)) > 0.3,
    "the recording to play",
  );
  assert.equal(await driver.executeScript("return arguments[0].error", audio), null);
  // Let the frame settle before the screenshot (two animation frames).
  await driver.executeAsyncScript("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));");
  mkdirSync(join(here, "artifacts"), { recursive: true });
  writeFileSync(join(here, "artifacts", "window.png"), await driver.takeScreenshot(), "base64");
});

test("a Tauri command reaches the backend: searching narrows the list", async () => {
  const rows = await driver.findElements(By.css('[data-testid="call-row"]'));
  assert.ok(rows.length > 0, `the list has rows; the window showed ${await windowState()}`);
  const id = await rows[0].getAttribute("data-call-id");
  const caller = await textOf(await rows[0].findElement(By.css('[data-testid="cell-caller"]')));
  const digits = caller.replace(/\D/g, "").slice(-4);
  const search = await driver.findElement(By.css('[data-testid="number-search"]'));
  await search.sendKeys(digits);
  const table = await driver.findElement(By.css('[data-testid="call-table"]'));
  await waitFor(
    async () => (await table.getAttribute("data-number")) === digits && (await table.getAttribute("data-state")) === "ready",
    `the list for ${digits}`,
  );
  const shown = await driver.findElements(By.css('[data-testid="call-row"]'));
  assert.ok(shown.length >= 1);
  for (const r of shown) {
    const numbers = await Promise.all(
      ["cell-caller", "cell-callee"].map(async (c) => (await textOf(await r.findElement(By.css(`[data-testid="${c}"]`)))).replace(/\D/g, "")),
    );
    assert.ok(numbers.some((n) => n.includes(digits)), `every row has ${digits}: ${numbers}`);
  }
  assert.ok(
    (await Promise.all(shown.map((r) => r.getAttribute("data-call-id")))).includes(id),
    "the call searched for is listed",
  );
});
