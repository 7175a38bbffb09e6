// Non-blocking error banners, shared by every part of the UI.
import { isBackendUnreachable, toApiError } from "./api";
import { connection } from "./connection.svelte";
import type { UiError } from "./ui-error";

export interface Notice {
  id: number;
  /** What the UI was doing, e.g. "Could not load calls". */
  context: string;
  error: UiError;
  /** How many times the same error was reported in a row. */
  count: number;
}

const MAX_NOTICES = 4;
let nextId = 1;

export const notices = $state<Notice[]>([]);

export function reportError(context: string, e: unknown): void {
  const error = toApiError(e);
  // While the backend is down every read fails the same way: the connection indicator says it
  // once, and the next successful read after the reconnect brings the data back.
  if (isBackendUnreachable(error)) {
    connection.down();
    return;
  }
  const same = notices.find(
    (n) =>
      n.context === context &&
      n.error.code === error.code &&
      n.error.message === error.message &&
      n.error.provider?.code === error.provider?.code,
  );
  if (same) {
    same.count += 1;
    return;
  }
  notices.push({ id: nextId++, context, error, count: 1 });
  while (notices.length > MAX_NOTICES) notices.shift();
}

export function dismissError(id: number): void {
  const i = notices.findIndex((n) => n.id === id);
  if (i >= 0) notices.splice(i, 1);
}

export function clearErrors(context?: string): void {
  for (let i = notices.length - 1; i >= 0; i--) {
    if (context === undefined || notices[i].context === context) notices.splice(i, 1);
  }
}
