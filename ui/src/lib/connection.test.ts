import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Connection, SILENCE_MS } from "./connection.svelte";

describe("Connection", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-24T12:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is connecting until the stream opens, then live", () => {
    const c = new Connection();
    c.start();
    expect(c.state).toBe("connecting");
    c.opened();
    expect(c.state).toBe("live");
    c.stop();
  });

  it("counts a stream that never opens as lost after the silence", () => {
    const c = new Connection();
    c.start();
    vi.advanceTimersByTime(SILENCE_MS - 1);
    expect(c.state).toBe("connecting");
    vi.advanceTimersByTime(1);
    expect(c.state).toBe("lost");
  });

  it("stays live while heartbeats come, and is lost 30 s after the last one", () => {
    const c = new Connection();
    c.start();
    c.opened();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(10_000);
      expect(c.event()).toBe(false);
      expect(c.state).toBe("live");
    }
    vi.advanceTimersByTime(SILENCE_MS - 1);
    expect(c.state).toBe("live");
    vi.advanceTimersByTime(1);
    expect(c.state).toBe("lost");
    c.stop();
  });

  it("says when an event ends a lost period, so the caller re-reads", () => {
    const c = new Connection();
    c.start();
    c.opened();
    vi.advanceTimersByTime(SILENCE_MS);
    expect(c.state).toBe("lost");
    expect(c.event()).toBe(true);
    expect(c.state).toBe("live");
    expect(c.event()).toBe(false);
    c.stop();
  });

  it("is lost at once when the transport reports the stream down, and stays so without events", () => {
    const c = new Connection();
    c.start();
    c.opened();
    c.down();
    expect(c.state).toBe("lost");
    vi.advanceTimersByTime(SILENCE_MS * 3);
    expect(c.state).toBe("lost");
    c.opened();
    expect(c.state).toBe("live");
    c.stop();
  });

  it("records when data last arrived (events and successful reads)", () => {
    const c = new Connection();
    expect(c.lastUpdate).toBeNull();
    c.updated();
    expect(c.lastUpdate).toBe(Date.parse("2026-11-24T12:00:00Z"));
    vi.advanceTimersByTime(5000);
    c.event();
    expect(c.lastUpdate).toBe(Date.parse("2026-11-24T12:00:05Z"));
    c.stop();
  });

  it("stop() cancels the watchdog", () => {
    const c = new Connection();
    c.start();
    c.opened();
    c.stop();
    vi.advanceTimersByTime(SILENCE_MS * 2);
    expect(c.state).toBe("live");
  });
});
