import { describe, expect, it, vi } from "vitest";
import { Notifications, type DesktopStatus } from "./notifications.svelte";

const status = (over: Partial<DesktopStatus> = {}): DesktopStatus => ({
  tray_label: "",
  tray_tooltip: "",
  missed: 0,
  notifications: true,
  notifications_available: null,
  notified: 0,
  ...over,
});

describe("desktop notifications", () => {
  it("does nothing in a browser", async () => {
    const n = new Notifications(null);
    await n.load();
    await n.toggle();
    expect(n.status).toBeNull();
    expect(n.enabled).toBe(false);
  });

  it("reads the state and turns notifications off and on again", async () => {
    const call = vi.fn(async (cmd: string, args?: Record<string, unknown>) => {
      if (cmd === "desktop_status") return status();
      return status({ notifications: args?.enabled as boolean });
    });
    const n = new Notifications(call as never);
    await n.load();
    expect(n.enabled).toBe(true);
    await n.toggle();
    expect(call).toHaveBeenLastCalledWith("set_notifications", { enabled: false });
    expect(n.enabled).toBe(false);
    await n.toggle();
    expect(n.enabled).toBe(true);
  });

  it("says when the system has no notification daemon, and keeps a failed save's reason", async () => {
    const call = vi.fn(async (cmd: string) => {
      if (cmd === "desktop_status") return status({ notifications_available: false });
      throw { code: "internal", message: "the setting was not saved: disk full" };
    });
    const n = new Notifications(call as never);
    await n.load();
    expect(n.unavailable).toBe(true);
    await n.toggle();
    expect(n.failed).toBe("the setting was not saved: disk full");
    expect(n.enabled).toBe(true);
  });
});
