//! The request/response operations the UI can ask for, declared once.
//!
//! [`with_operations!`](crate::with_operations) holds the one table; every adapter expands
//! it with a macro of its own, so a new operation is one entry here and nothing else: the
//! Tauri shell generates its commands and handler list, `callboard-server` its routes and
//! OpenAPI paths, and a test writes the UI's typed client description
//! (`ui/src/lib/operations.generated.ts`). [`ops`](crate::ops) is the core's own
//! expansion: each operation as a plain async function over the [`Service`](crate::Service),
//! which the adapters call.
//!
//! Streams and binary answers (live events, recording audio, the CSV export, the save
//! dialogs) do not fit a request/response row and stay hand-written in each adapter.

/// Calls `$callback! { ... }` with every operation, one entry each:
///
/// ```text
/// /// Doc comment (the OpenAPI summary, the TS doc).
/// name: method "/path/{arg}" path(arg: Type, ...) query(name: Type) body(name: Type)
///     -> Returned => |service| expression;
/// ```
///
/// - `name` is the Tauri command, the core function in [`ops`](crate::ops) and, in
///   camelCase, the UI's method.
/// - `method` is the lowercase HTTP method (`get`, `post`, ...); the path is under `/api`,
///   its `{arg}` segments the `path(...)` arguments, by name.
/// - `query(...)` is one struct read from the query string (and in the UI from an object's
///   fields), `body(...)` one JSON body; either may be absent, as may `path(...)`.
/// - The expression runs in an async function whose parameters are the arguments and
///   the service (bound to the name between the bars); it yields
///   `Result<Returned, CoreError>`.
///
/// Types are written with `$crate::` paths so that every expanding crate resolves them.
#[macro_export]
macro_rules! with_operations {
    ($callback:ident) => {
        $callback! {
            /// Version, demo mode, number of accounts.
            app_info: get "/info" -> $crate::model::AppInfo
                => |s| Ok(s.info());

            /// Call history, newest first, keyset-paginated.
            list_calls: get "/calls" query(query: $crate::model::CallQuery)
                -> $crate::model::CallPage
                => |s| s.list_calls(query).await;

            /// One call with its details and known recording parts.
            get_call: get "/calls/{id}" path(id: i64) -> $crate::model::CallDetail
                => |s| s.call_detail(id).await;

            /// The recording's parts in playing order (asks the provider on first use).
            recording_parts: get "/calls/{id}/recording" path(id: i64)
                -> ::std::vec::Vec<$crate::model::RecordingPart>
                => |s| s.recording_parts(id).await;

            /// Every account's sync status.
            account_statuses: get "/accounts" -> ::std::vec::Vec<$crate::model::AccountStatus>
                => |s| Ok(s.account_statuses());

            /// Runs one sync pass of the account now (or waits for the one already running)
            /// and answers its status after it; a failed pass shows in the status.
            sync_now: post "/accounts/{account}/sync" path(account: ::std::string::String)
                -> $crate::model::AccountStatus
                => |s| s.sync_now_status(&account).await;

            /// The calls on the live board: open ones newest first, then those ended lately.
            live_calls: get "/live" -> ::std::vec::Vec<$crate::model::LiveCall>
                => |s| Ok(s.live_calls());

            /// What is known of a caller: calls stored, the last one's outcome, a name.
            caller_summary: get "/callers/{number}" path(number: ::std::string::String)
                -> $crate::model::CallerSummary
                => |s| s.caller_summary(&number).await;

            /// Missed callers not called back yet, oldest first.
            missed_queue: get "/missed" query(query: $crate::model::ListQuery)
                -> $crate::model::MissedQueue
                => |s| s.missed_queue(query.limit.unwrap_or(200).min(1000)).await;

            /// The live routing rules: blacklist, VIP callers, forwarding plans, settings.
            routing_rules: get "/routing" -> $crate::model::RoutingRules
                => |s| Ok(s.routing_rules());

            /// Adds (id 0) or replaces a blacklist entry; answers the rules after it.
            save_blocked: post "/routing/blacklist" body(entry: $crate::model::BlockedNumber)
                -> $crate::model::RoutingRules
                => |s| s.edit_rules($crate::RuleEdit::Blocked(entry)).await;

            /// Adds (id 0) or replaces a VIP caller; answers the rules after it.
            save_vip: post "/routing/vip" body(vip: $crate::model::VipCaller)
                -> $crate::model::RoutingRules
                => |s| s.edit_rules($crate::RuleEdit::Vip(vip)).await;

            /// Adds (id 0) or replaces a forwarding plan; answers the rules after it.
            save_plan: post "/routing/plans" body(plan: $crate::model::ForwardingPlan)
                -> $crate::model::RoutingRules
                => |s| s.edit_rules($crate::RuleEdit::Plan(plan)).await;

            /// Replaces the routing settings (time zone, rejection prompt).
            save_routing_settings: put "/routing/settings" body(settings: $crate::model::RoutingSettings)
                -> $crate::model::RoutingRules
                => |s| s.edit_rules($crate::RuleEdit::Settings(settings)).await;

            /// Removes a blacklist entry, VIP caller or plan.
            delete_rule: delete "/routing/rules/{id}" path(id: i64) -> $crate::model::RoutingRules
                => |s| s.edit_rules($crate::RuleEdit::Delete(id)).await;

            /// Where a call from `caller` to `called` would go now.
            test_route: get "/routing/test" query(query: $crate::model::RouteProbe)
                -> $crate::model::RouteTest
                => |s| s.test_route(&query);

            /// Where each account's provider must send its requests (the listener's URLs).
            webhooks: get "/webhooks" -> ::std::vec::Vec<$crate::model::AccountHooks>
                => |s| Ok(s.webhooks());

            /// Places a simulated call now (demo mode only): it rings, and is answered or not.
            demo_call: post "/demo/call" body(call: $crate::model::DemoCall)
                -> $crate::model::DemoCallPlaced
                => |s| s.demo_call(call);

            /// Requests the webhook listener refused or could not read, newest first.
            refused_requests: get "/listener/refused" query(query: $crate::model::ListQuery)
                -> ::std::vec::Vec<$crate::model::RefusedRequest>
                => |s| s.refused_requests(query.limit.unwrap_or(100).min(1000), query.before).await;
        }
    };
}

/// Expands the table into [`ops`]: one async function per operation.
macro_rules! core_operations {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident : $method:ident $path:literal
            $(path($p0:ident : $pt0:ty $(, $p:ident : $pt:ty)* $(,)?))?
            $(query($q:ident : $qt:ty))?
            $(body($b:ident : $bt:ty))?
            -> $ret:ty
            => |$s:ident| $call:expr;
    )*) => {
        /// Each operation of [`with_operations!`](crate::with_operations) as an async
        /// function taking the service and the arguments in table order (path, query, body).
        pub mod ops {
            $(
                $(#[doc = $doc])*
                pub async fn $name(
                    $s: &$crate::Service,
                    $($p0: $pt0, $($p: $pt,)*)?
                    $($q: $qt,)?
                    $($b: $bt,)?
                ) -> ::std::result::Result<$ret, $crate::CoreError> {
                    $call
                }
            )*
        }
    };
}

with_operations!(core_operations);
