import { beforeEach, describe, expect, it, vi } from "vitest";
import { apiError } from "./api";
import { clearErrors, notices } from "./errors.svelte";
import { Exporter } from "./export.svelte";
import { exportFileName } from "./filename";

describe("exportFileName", () => {
  it("names the file after the local day", () => {
    expect(exportFileName(new Date(2026, 10, 25, 23, 59).getTime())).toBe("callboard-calls-2026-11-25.csv");
    expect(exportFileName(new Date(2027, 0, 3, 0, 1).getTime())).toBe("callboard-calls-2027-01-03.csv");
  });
});

describe("Exporter", () => {
  beforeEach(() => clearErrors());

  it("exports the filters without paging, under the day's name", async () => {
    const exportCalls = vi.fn(async () => "saved" as const);
    const e = new Exporter({ exportCalls });
    const out = await e.run({ provider: "mtt", number: "916", cursor: "c", limit: 500 }, new Date(2026, 10, 25).getTime());
    expect(out).toBe("saved");
    expect(exportCalls).toHaveBeenCalledWith({ provider: "mtt", number: "916" }, "callboard-calls-2026-11-25.csv");
    expect(e.busy).toBe(false);
  });

  it("is busy while the dialog is open, and does not start a second export", async () => {
    let finish!: (v: "cancelled") => void;
    const exportCalls = vi.fn(() => new Promise<"cancelled">((r) => (finish = r)));
    const e = new Exporter({ exportCalls });
    const first = e.run({});
    expect(e.busy).toBe(true);
    await e.run({});
    expect(exportCalls).toHaveBeenCalledTimes(1);
    finish("cancelled");
    expect(await first).toBe("cancelled");
    expect(e.busy).toBe(false);
  });

  it("reports a failure in a banner", async () => {
    const e = new Exporter({ exportCalls: async () => Promise.reject(apiError("internal", "disk full")) });
    expect(await e.run({})).toBe("failed");
    expect(notices.map((n) => n.error.message)).toEqual(["disk full"]);
  });
});
