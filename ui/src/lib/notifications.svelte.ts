// The desktop's incoming-call notifications: on or off (kept by the backend across
// restarts), and whether the system can show them at all (no notification daemon:
// "unavailable"). Only the desktop app has them; in a browser the store stays empty.
import { invoke } from "@tauri-apps/api/core";
import { isTauri } from "./api";

/** What the desktop reports (`desktop_status`). */
export interface DesktopStatus {
  tray_label: string;
  tray_tooltip: string;
  missed: number;
  notifications: boolean;
  /** null until one was tried; false without a notification daemon. */
  notifications_available: boolean | null;
  notified: number;
}

export type Call = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;

export class Notifications {
  /** null in a browser, or before the first read. */
  status = $state<DesktopStatus | null>(null);
  busy = $state(false);
  failed = $state<string | null>(null);

  constructor(private readonly call: Call | null) {}

  get enabled(): boolean {
    return this.status?.notifications ?? false;
  }

  get unavailable(): boolean {
    return this.status?.notifications_available === false;
  }

  async load(): Promise<void> {
    if (!this.call) return;
    try {
      this.status = await this.call<DesktopStatus>("desktop_status");
    } catch (e) {
      this.failed = String(e);
    }
  }

  async toggle(): Promise<void> {
    if (!this.call || !this.status || this.busy) return;
    this.busy = true;
    this.failed = null;
    try {
      this.status = await this.call<DesktopStatus>("set_notifications", { enabled: !this.status.notifications });
    } catch (e) {
      this.failed = typeof e === "object" && e && "message" in e ? String((e as { message: unknown }).message) : String(e);
    } finally {
      this.busy = false;
    }
  }
}

export const notifications = new Notifications(isTauri() ? (cmd, args) => invoke(cmd, args) : null);
