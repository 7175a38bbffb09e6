// The system Chromium as every browser test launches it: nothing is downloaded, and the
// flags keep it off the network this machine does not have.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Launches headless Chromium; `autoplay` lets audio play without a user gesture. */
export function launchChromium({ autoplay = true } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...(autoplay ? ["--autoplay-policy=no-user-gesture-required"] : []),
    ],
  });
}
