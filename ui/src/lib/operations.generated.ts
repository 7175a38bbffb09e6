// Generated from the operation table (`with_operations!` in
// src-tauri/crates/core/src/operations.rs); do not edit. Regenerate with
// `UPDATE_BINDINGS=1 cargo test -p callboard-core --test operations_ts`.
import type { AccountStatus } from "../bindings/AccountStatus";
import type { AppInfo } from "../bindings/AppInfo";
import type { CallDetail } from "../bindings/CallDetail";
import type { CallPage } from "../bindings/CallPage";
import type { CallQuery } from "../bindings/CallQuery";
import type { RecordingPart } from "../bindings/RecordingPart";

/** Where an HTTP request carries an argument. */
export type ArgPlace = "path" | "query" | "body";

/** How both transports carry one operation. */
export interface OperationSpec {
  /** The Tauri command. */
  readonly command: string;
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Under `/api`; `{name}` is the path argument `name`. */
  readonly path: string;
  /** In call order: the name (Tauri's argument key) and where HTTP carries it. */
  readonly args: readonly { readonly name: string; readonly in: ArgPlace }[];
}

/** The request/response operations, by their method names in the UI. */
export interface Operations {
  /** Version, demo mode, number of accounts. */
  appInfo(): Promise<AppInfo>;
  /** Call history, newest first, keyset-paginated. */
  listCalls(query: CallQuery): Promise<CallPage>;
  /** One call with its details and known recording parts. */
  getCall(id: number): Promise<CallDetail>;
  /** The recording's parts in playing order (asks the provider on first use). */
  recordingParts(id: number): Promise<Array<RecordingPart>>;
  /** Every account's sync status. */
  accountStatuses(): Promise<Array<AccountStatus>>;
  /**
   * Runs one sync pass of the account now (or waits for the one already running)
   * and answers its status after it; a failed pass shows in the status.
   */
  syncNow(account: string): Promise<AccountStatus>;
}

/** Each operation's command, route and arguments. */
export const OPERATIONS: { readonly [K in keyof Operations]: OperationSpec } = {
  appInfo: { command: "app_info", method: "GET", path: "/info", args: [] },
  listCalls: { command: "list_calls", method: "GET", path: "/calls", args: [{ name: "query", in: "query" }] },
  getCall: { command: "get_call", method: "GET", path: "/calls/{id}", args: [{ name: "id", in: "path" }] },
  recordingParts: { command: "recording_parts", method: "GET", path: "/calls/{id}/recording", args: [{ name: "id", in: "path" }] },
  accountStatuses: { command: "account_statuses", method: "GET", path: "/accounts", args: [] },
  syncNow: { command: "sync_now", method: "POST", path: "/accounts/{account}/sync", args: [{ name: "account", in: "path" }] },
};
