import { afterEach, describe, expect, it, vi } from "vitest";

function memoryStorage(initial: Record<string, string> = {}): Storage {
  const m = new Map(Object.entries(initial));
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

/** A fresh module, so the stored speed is read again as on a page load. */
async function load() {
  vi.resetModules();
  return import("./playback.svelte");
}

describe("playback speed", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("starts at normal speed when nothing is stored", async () => {
    vi.stubGlobal("localStorage", memoryStorage());
    const { playback } = await load();
    expect(playback.rate).toBe(1);
  });

  it("survives a reload", async () => {
    const storage = memoryStorage();
    vi.stubGlobal("localStorage", storage);
    const first = await load();
    first.setRate(1.5);
    expect(first.playback.rate).toBe(1.5);
    expect(storage.getItem(first.RATE_KEY)).toBe("1.5");
    const second = await load();
    expect(second.playback.rate).toBe(1.5);
  });

  it("ignores a stored value the player does not offer", async () => {
    vi.stubGlobal("localStorage", memoryStorage({ "callboard.playbackRate": "7" }));
    const { playback, parseRate } = await load();
    expect(playback.rate).toBe(1);
    expect(parseRate("abc")).toBe(1);
    expect(parseRate(null)).toBe(1);
    expect(parseRate("0.75")).toBe(0.75);
  });

  it("refuses a speed it does not offer", async () => {
    vi.stubGlobal("localStorage", memoryStorage());
    const { playback, setRate } = await load();
    setRate(3);
    expect(playback.rate).toBe(1);
  });

  it("still works when storage is unavailable", async () => {
    vi.stubGlobal("localStorage", {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    });
    const { playback, setRate } = await load();
    expect(playback.rate).toBe(1);
    setRate(2);
    expect(playback.rate).toBe(2);
  });
});
