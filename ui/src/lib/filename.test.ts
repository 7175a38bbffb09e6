import { describe, expect, it } from "vitest";
import { extensionFor, recordingFileName, safePart } from "./filename";

const call = {
  id: 42,
  // Local 2026-11-24 14:05:33, whatever the test machine's time zone.
  started_at: new Date(2026, 10, 24, 14, 5, 33).toISOString(),
  direction: "incoming" as const,
  caller: "+79161234567",
  callee: "+74951112233",
};

describe("recordingFileName", () => {
  it("names a part by local start time, the other party and the part", () => {
    expect(recordingFileName(call, "audio/wav", 1, 2)).toBe("2026-11-24_14-05-33_+79161234567_part2.wav");
  });

  it("leaves the part out of a single-part recording", () => {
    expect(recordingFileName(call, "audio/mpeg", 0, 1)).toBe("2026-11-24_14-05-33_+79161234567.mp3");
  });

  it("uses the callee of an outgoing call", () => {
    expect(recordingFileName({ ...call, direction: "outgoing" }, "audio/wav", 0, 1)).toBe("2026-11-24_14-05-33_+74951112233.wav");
  });

  it("keeps only file-name-safe characters", () => {
    const name = recordingFileName({ ...call, caller: 'sip:"Boss" <100@pbx/a?b>' }, "audio/ogg; codecs=opus", 0, 1);
    expect(name).toBe("2026-11-24_14-05-33_sip_Boss_100_pbx_a_b.ogg");
    expect(name).toMatch(/^[0-9A-Za-z+_.-]+$/);
  });

  it("falls back to the call id when there is no usable number", () => {
    expect(recordingFileName({ ...call, caller: "***" }, "audio/wav", 0, 1)).toBe("2026-11-24_14-05-33_call42.wav");
  });
});

describe("extensionFor", () => {
  it.each([
    ["audio/wav", "wav"],
    ["audio/x-wav", "wav"],
    ["audio/wave", "wav"],
    ["audio/mpeg", "mp3"],
    ["audio/mp3", "mp3"],
    ["audio/ogg", "ogg"],
    ["audio/mp4", "m4a"],
    ["application/octet-stream", "audio"],
    ["", "audio"],
  ])("%s → %s", (mime, ext) => {
    expect(extensionFor(mime)).toBe(ext);
  });
});

describe("safePart", () => {
  it("collapses unsafe runs and trims them", () => {
    expect(safePart("  +7 (916) 123-45-67 ")).toBe("+7_916_123-45-67");
    expect(safePart("../..")).toBe("");
  });
});
