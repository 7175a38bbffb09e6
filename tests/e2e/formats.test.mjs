// Recordings in every format the providers send (issue 6 §3) play in Chromium: PCM, A-law
// and µ-law WAV (the MTT simulator) and MP3 (MOR), as served by the backend. Calls of each
// format are found through the API: a part says what the provider sent (`source_codec`)
// once it has been downloaded.
//
// Needs a running `callboard-server --demo` (CALLBOARD_URL), synced.
//
//   cd tests/e2e && CALLBOARD_URL=http://127.0.0.1:8787 node --test formats.test.mjs

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchChromium } from "./browser.mjs";

const BASE_URL = process.env.CALLBOARD_URL ?? "http://127.0.0.1:8787";
const TIMEOUT = Number(process.env.CALLBOARD_E2E_TIMEOUT ?? 20_000);
const FORMATS = {
  pcm_s16le: "audio/wav",
  pcm_alaw: "audio/wav",
  pcm_mulaw: "audio/wav",
  mp3: "audio/mpeg",
};

/** @type {import("playwright-core").Browser} */
let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

async function api(path) {
  const res = await fetch(new URL(path, BASE_URL));
  assert.ok(res.ok, `${path}: HTTP ${res.status}`);
  return res.json();
}

/** One `{ id, index, mime }` per source codec, caching recordings until each is found. */
async function oneOfEach() {
  const found = new Map();
  for (const provider of ["mtt", "mor"]) {
    const page = await api(`/api/calls?provider=${provider}&limit=200`);
    for (const call of page.items.filter((c) => c.has_recording)) {
      if (Object.keys(FORMATS).every((f) => found.has(f))) return found;
      const parts = await api(`/api/calls/${call.id}/recording`);
      const part = parts[0];
      if (!part.source_codec) {
        // The first fetch downloads and decodes it; the part then says what it was.
        const audio = await fetch(new URL(`/api/calls/${call.id}/recording/${part.index}`, BASE_URL));
        assert.ok(audio.ok, `call ${call.id}: HTTP ${audio.status}`);
        await audio.arrayBuffer();
      }
      const [known] = (await api(`/api/calls/${call.id}/recording`)).filter((p) => p.index === part.index);
      if (known.source_codec && !found.has(known.source_codec)) {
        found.set(known.source_codec, { id: call.id, index: part.index, mime: known.mime });
      }
    }
  }
  return found;
}

let recordings;

test("the demo has a recording of each format", async () => {
  recordings = await oneOfEach();
  assert.deepEqual([...recordings.keys()].sort(), Object.keys(FORMATS).sort());
  for (const [codec, { mime }] of recordings) assert.equal(mime, FORMATS[codec], codec);
});

for (const codec of Object.keys(FORMATS)) {
  test(`a ${codec} recording plays in Chromium`, async (t) => {
    assert.ok(recordings?.has(codec), `no ${codec} recording found`);
    const { id, index } = recordings.get(codec);
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    // Any page of the server's origin will do: the audio element is the test's own.
    await page.goto(new URL("/api/info", BASE_URL).href, { waitUntil: "domcontentloaded" });
    const src = `/api/calls/${id}/recording/${index}`;
    await page.evaluate((src) => {
      const a = document.createElement("audio");
      a.id = "format-under-test";
      a.preload = "auto";
      a.addEventListener("playing", () => (a.dataset.playing = "yes"));
      a.addEventListener("error", () => (a.dataset.error = String(a.error?.code)));
      a.src = src;
      document.body.append(a);
      a.play().catch((e) => (a.dataset.error = String(e)));
    }, src);
    await page.waitForFunction(() => {
      const a = document.getElementById("format-under-test");
      return a.dataset.playing === "yes" || a.dataset.error !== undefined;
    });
    const state = () =>
      page.$eval("#format-under-test", (a) => ({
        error: a.dataset.error ?? null,
        time: a.currentTime,
        duration: a.duration,
      }));
    const first = await state();
    assert.equal(first.error, null, `${codec}: the audio element failed (${first.error})`);
    assert.ok(Number.isFinite(first.duration) && first.duration > 1, `${codec}: duration ${first.duration}`);
    await page.waitForFunction((t0) => document.getElementById("format-under-test").currentTime > t0 + 0.2, first.time);
    const later = await state();
    assert.ok(later.time > first.time, `${codec}: currentTime advances (${first.time} → ${later.time})`);

    // Seeking asks for a byte range; playback goes on from there.
    await page.$eval("#format-under-test", (a) => (a.currentTime = a.duration / 2));
    await page.waitForFunction(() => {
      const a = document.getElementById("format-under-test");
      return a.currentTime > a.duration / 2 + 0.1 && !a.seeking;
    });
    assert.equal((await state()).error, null);
  });
}
