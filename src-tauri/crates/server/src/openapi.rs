use callboard_model::{
    AccountCapabilities, AccountStatus, ApiError, AppInfo, BackfillProgress, Call, CallDetail,
    CallPage, Detail, Direction, ErrorCode, ErrorHint, Event, Outcome, ProviderErrorInfo,
    ProviderKind, RecordingPart, SyncState,
};
use utoipa::{Modify, OpenApi};

use crate::routes;

/// The OpenAPI document served at `/api/openapi.json`, generated from the Rust types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "callboard",
        description = "Call history and recordings of five telephony providers"
    ),
    // The operation table's paths come in through `TableOperations`; these are the
    // streams and files it cannot express.
    paths(routes::export_calls, routes::recording_file, routes::events),
    modifiers(&TableOperations),
    components(schemas(
        AccountCapabilities,
        AccountStatus,
        BackfillProgress,
        ApiError,
        AppInfo,
        Call,
        CallDetail,
        CallPage,
        Detail,
        Direction,
        ErrorCode,
        ErrorHint,
        Event,
        Outcome,
        ProviderErrorInfo,
        ProviderKind,
        RecordingPart,
        SyncState
    ))
)]
pub struct ApiDoc;

/// Adds the paths generated from the operation table.
struct TableOperations;

impl Modify for TableOperations {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        doc.merge(routes::ops::Paths::openapi());
    }
}
