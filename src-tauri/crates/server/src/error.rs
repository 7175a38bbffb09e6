use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use callboard_core::CoreError;
use callboard_model::{ApiError, ErrorCode};

/// An error answer: the status its kind implies and an [`ApiError`] body.
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl From<CoreError> for HttpError {
    fn from(e: CoreError) -> Self {
        Self(e.to_api())
    }
}

impl HttpError {
    pub fn not_found(message: impl Into<String>) -> Self {
        Self(ApiError::new(ErrorCode::NotFound, message))
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self(ApiError::new(ErrorCode::InvalidInput, message))
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = match self.0.code {
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
            ErrorCode::Provider | ErrorCode::Network => StatusCode::BAD_GATEWAY,
            ErrorCode::Config | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::warn!(code = ?self.0.code, message = %self.0.message, "request failed");
        }
        (status, Json(self.0)).into_response()
    }
}
