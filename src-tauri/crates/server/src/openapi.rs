use callboard_model::{
    AccountCapabilities, AccountStatus, ApiError, AppInfo, BackfillProgress, Call, CallDetail,
    CallPage, Detail, Direction, ErrorCode, ErrorHint, Event, Outcome, ProviderErrorInfo,
    ProviderKind, RecordingPart, SyncState,
};
use utoipa::OpenApi;

use crate::routes;

/// The OpenAPI document served at `/api/openapi.json`, generated from the Rust types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "callboard",
        description = "Call history and recordings of five telephony providers"
    ),
    paths(
        routes::info,
        routes::list_calls,
        routes::get_call,
        routes::recording_parts,
        routes::recording_file,
        routes::accounts,
        routes::events
    ),
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
