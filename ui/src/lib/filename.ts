// File names for saved recordings: sortable by date, telling whose call it was, and safe on
// every file system (only letters, digits, `+`, `-`, `_` and the extension's dot).
import type { Call } from "../bindings/Call";

const EXTENSIONS: [RegExp, string][] = [
  [/wav|wave/, "wav"],
  [/mpeg|mp3/, "mp3"],
  [/ogg|opus/, "ogg"],
  [/mp4|m4a|aac/, "m4a"],
  [/webm/, "webm"],
  [/flac/, "flac"],
  [/amr/, "amr"],
  [/gsm/, "gsm"],
];

/** `audio/x-wav` → `wav`; an unknown type gets a neutral `audio`. */
export function extensionFor(mime: string): string {
  const m = mime.toLowerCase().split(";")[0].trim();
  for (const [re, ext] of EXTENSIONS) if (re.test(m)) return ext;
  return "audio";
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Keeps what is safe in a file name; runs of anything else become one `_`. */
export function safePart(s: string): string {
  return s
    .replace(/[^0-9A-Za-z+-]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/**
 * `2026-11-24_14-05-33_+79161234567_part2.wav`: the call's local start time, the other party's
 * number, the part (when there are several) and the format's extension.
 */
export function recordingFileName(
  call: Pick<Call, "id" | "started_at" | "direction" | "caller" | "callee">,
  mime: string,
  part: number,
  parts: number,
): string {
  const d = new Date(call.started_at);
  const when = Number.isNaN(d.getTime())
    ? ""
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}_${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`;
  const number = safePart(call.direction === "incoming" ? call.caller : call.callee) || `call${call.id}`;
  const pieces = [when, number, parts > 1 ? `part${part + 1}` : ""].filter(Boolean);
  return `${pieces.join("_")}.${extensionFor(mime)}`;
}

/** `callboard-calls-2026-11-25.csv`, the local day of `now` (epoch ms): sortable, safe everywhere. */
export function exportFileName(now: number): string {
  const d = new Date(now);
  return `callboard-calls-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.csv`;
}
