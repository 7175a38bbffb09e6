// Generated from the operation table (`with_operations!` in
// src-tauri/crates/core/src/operations.rs); do not edit. Regenerate with
// `UPDATE_BINDINGS=1 cargo test -p callboard-core --test operations_ts`.
import type { AccountHooks } from "../bindings/AccountHooks";
import type { AccountStatus } from "../bindings/AccountStatus";
import type { AppInfo } from "../bindings/AppInfo";
import type { BlockedNumber } from "../bindings/BlockedNumber";
import type { CallDetail } from "../bindings/CallDetail";
import type { CallPage } from "../bindings/CallPage";
import type { CallQuery } from "../bindings/CallQuery";
import type { CallerSummary } from "../bindings/CallerSummary";
import type { DemoCall } from "../bindings/DemoCall";
import type { DemoCallPlaced } from "../bindings/DemoCallPlaced";
import type { ForwardingPlan } from "../bindings/ForwardingPlan";
import type { ListQuery } from "../bindings/ListQuery";
import type { LiveCall } from "../bindings/LiveCall";
import type { MissedQueue } from "../bindings/MissedQueue";
import type { RecordingPart } from "../bindings/RecordingPart";
import type { RefusedRequest } from "../bindings/RefusedRequest";
import type { RouteProbe } from "../bindings/RouteProbe";
import type { RouteTest } from "../bindings/RouteTest";
import type { RoutingRules } from "../bindings/RoutingRules";
import type { RoutingSettings } from "../bindings/RoutingSettings";
import type { VipCaller } from "../bindings/VipCaller";

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
  /** The calls on the live board: open ones newest first, then those ended lately. */
  liveCalls(): Promise<Array<LiveCall>>;
  /** What is known of a caller: calls stored, the last one's outcome, a name. */
  callerSummary(number: string): Promise<CallerSummary>;
  /** Missed callers not called back yet, oldest first. */
  missedQueue(query: ListQuery): Promise<MissedQueue>;
  /** The live routing rules: blacklist, VIP callers, forwarding plans, settings. */
  routingRules(): Promise<RoutingRules>;
  /** Adds (id 0) or replaces a blacklist entry; answers the rules after it. */
  saveBlocked(entry: BlockedNumber): Promise<RoutingRules>;
  /** Adds (id 0) or replaces a VIP caller; answers the rules after it. */
  saveVip(vip: VipCaller): Promise<RoutingRules>;
  /** Adds (id 0) or replaces a forwarding plan; answers the rules after it. */
  savePlan(plan: ForwardingPlan): Promise<RoutingRules>;
  /** Replaces the routing settings (time zone, rejection prompt). */
  saveRoutingSettings(settings: RoutingSettings): Promise<RoutingRules>;
  /** Removes a blacklist entry, VIP caller or plan. */
  deleteRule(id: number): Promise<RoutingRules>;
  /** Where a call from `caller` to `called` would go now. */
  testRoute(query: RouteProbe): Promise<RouteTest>;
  /** Where each account's provider must send its requests (the listener's URLs). */
  webhooks(): Promise<Array<AccountHooks>>;
  /** Places a simulated call now (demo mode only): it rings, and is answered or not. */
  demoCall(call: DemoCall): Promise<DemoCallPlaced>;
  /** Requests the webhook listener refused or could not read, newest first. */
  refusedRequests(query: ListQuery): Promise<Array<RefusedRequest>>;
}

/** Each operation's command, route and arguments. */
export const OPERATIONS: { readonly [K in keyof Operations]: OperationSpec } = {
  appInfo: { command: "app_info", method: "GET", path: "/info", args: [] },
  listCalls: { command: "list_calls", method: "GET", path: "/calls", args: [{ name: "query", in: "query" }] },
  getCall: { command: "get_call", method: "GET", path: "/calls/{id}", args: [{ name: "id", in: "path" }] },
  recordingParts: { command: "recording_parts", method: "GET", path: "/calls/{id}/recording", args: [{ name: "id", in: "path" }] },
  accountStatuses: { command: "account_statuses", method: "GET", path: "/accounts", args: [] },
  syncNow: { command: "sync_now", method: "POST", path: "/accounts/{account}/sync", args: [{ name: "account", in: "path" }] },
  liveCalls: { command: "live_calls", method: "GET", path: "/live", args: [] },
  callerSummary: { command: "caller_summary", method: "GET", path: "/callers/{number}", args: [{ name: "number", in: "path" }] },
  missedQueue: { command: "missed_queue", method: "GET", path: "/missed", args: [{ name: "query", in: "query" }] },
  routingRules: { command: "routing_rules", method: "GET", path: "/routing", args: [] },
  saveBlocked: { command: "save_blocked", method: "POST", path: "/routing/blacklist", args: [{ name: "entry", in: "body" }] },
  saveVip: { command: "save_vip", method: "POST", path: "/routing/vip", args: [{ name: "vip", in: "body" }] },
  savePlan: { command: "save_plan", method: "POST", path: "/routing/plans", args: [{ name: "plan", in: "body" }] },
  saveRoutingSettings: { command: "save_routing_settings", method: "PUT", path: "/routing/settings", args: [{ name: "settings", in: "body" }] },
  deleteRule: { command: "delete_rule", method: "DELETE", path: "/routing/rules/{id}", args: [{ name: "id", in: "path" }] },
  testRoute: { command: "test_route", method: "GET", path: "/routing/test", args: [{ name: "query", in: "query" }] },
  webhooks: { command: "webhooks", method: "GET", path: "/webhooks", args: [] },
  demoCall: { command: "demo_call", method: "POST", path: "/demo/call", args: [{ name: "call", in: "body" }] },
  refusedRequests: { command: "refused_requests", method: "GET", path: "/listener/refused", args: [{ name: "query", in: "query" }] },
};
