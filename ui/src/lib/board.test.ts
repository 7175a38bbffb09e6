import { describe, expect, it } from "vitest";
import { BOARD_KEY, BoardView } from "./board.svelte";

function memory(initial: Record<string, string> = {}) {
  const data = { ...initial };
  return { data, getItem: (k: string) => data[k] ?? null, setItem: (k: string, v: string) => void (data[k] = v) };
}

describe("BoardView", () => {
  it("opens on the live tab, unfolded, without storage or with garbage in it", () => {
    for (const s of [null, memory(), memory({ [BOARD_KEY]: "{not json" }), memory({ [BOARD_KEY]: '{"tab":"other"}' })]) {
      const b = new BoardView(s);
      expect([b.tab, b.collapsed]).toEqual(["live", false]);
    }
  });

  it("keeps the tab and the fold across restarts", () => {
    const s = memory();
    const b = new BoardView(s);
    b.tab = "missed";
    b.collapsed = true;
    expect(JSON.parse(s.data[BOARD_KEY])).toEqual({ tab: "missed", collapsed: true });
    const again = new BoardView(s);
    expect([again.tab, again.collapsed]).toEqual(["missed", true]);
    again.show("live");
    expect([again.tab, again.collapsed]).toEqual(["live", false]);
    expect(JSON.parse(s.data[BOARD_KEY])).toEqual({ tab: "live", collapsed: false });
  });

  it("a storage that refuses writes changes nothing shown", () => {
    const b = new BoardView({
      getItem: () => null,
      setItem: () => {
        throw new Error("quota");
      },
    });
    b.show("missed");
    expect(b.tab).toBe("missed");
  });
});
