//! Domain types shared by the store, the provider clients, the service and the UI.
//!
//! Every type that crosses to the UI derives `TS` (TypeScript bindings, checked in under
//! `ui/src/bindings/`) and `ToSchema` (the server's OpenAPI document).

mod call;
mod event;
mod live;
mod phone;
mod query;
mod rules;
mod status;

pub use call::{
    Call, CallDetail, Detail, Direction, NewCall, Outcome, ProviderKind, RecordingPart,
};
pub use event::Event;
pub use live::{
    AccountHooks, CallerSummary, DemoCall, DemoCallPlaced, HookUrl, LiveCall, LiveState, LiveStep,
    MissedCaller, MissedQueue, RefusedRequest,
};
pub use phone::{digits_of, normalize_phone};
pub use query::{CallPage, CallQuery, Cursor, CursorError, ListQuery, RouteProbe, RouteTest};
pub use rules::{
    AfterHours, BlockedNumber, Day, ForwardingPlan, MatchKind, RingMode, RoutingRules,
    RoutingSettings, Target, VipCaller, WeeklySlot,
};
pub use status::{
    AccountCapabilities, AccountStatus, ApiError, AppInfo, BackfillProgress, ErrorCode, ErrorHint,
    ProviderErrorInfo, SyncState,
};

/// Writes every UI-facing type's TypeScript declaration into `dir`, one file per type.
pub fn export_bindings(dir: &std::path::Path) -> Result<(), ts_rs::ExportError> {
    use ts_rs::TS;
    Call::export_all_to(dir)?;
    CallDetail::export_all_to(dir)?;
    CallQuery::export_all_to(dir)?;
    ListQuery::export_all_to(dir)?;
    RouteProbe::export_all_to(dir)?;
    RouteTest::export_all_to(dir)?;
    CallPage::export_all_to(dir)?;
    AccountStatus::export_all_to(dir)?;
    AppInfo::export_all_to(dir)?;
    Event::export_all_to(dir)?;
    LiveCall::export_all_to(dir)?;
    MissedQueue::export_all_to(dir)?;
    RefusedRequest::export_all_to(dir)?;
    AccountHooks::export_all_to(dir)?;
    DemoCall::export_all_to(dir)?;
    CallerSummary::export_all_to(dir)?;
    DemoCallPlaced::export_all_to(dir)?;
    ApiError::export_all_to(dir)?;
    RoutingRules::export_all_to(dir)?;
    Ok(())
}
