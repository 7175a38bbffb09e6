//! The error table of the spec (4.19) and the error body Beeline answers with.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One row of the 4.19 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecError {
    /// `ERR_CODE`, e.g. `"404.106"`.
    pub code: &'static str,
    /// `ERR_DESCRIPTION`, verbatim from the spec.
    pub text: &'static str,
}

impl SpecError {
    /// The HTTP status sent with it: the code's integer part (3.10: "besides the HTTP
    /// status, the content carries the extended code").
    pub fn http_status(&self) -> StatusCode {
        self.code
            .split('.')
            .next()
            .and_then(|s| s.parse::<u16>().ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The row for `code` (the first of the two `400.8` rows).
    pub fn by_code(code: &str) -> Option<&'static SpecError> {
        SPEC_ERRORS.iter().find(|e| e.code == code)
    }
}

macro_rules! rows {
    ($($code:literal => $text:literal,)*) => {
        /// All 38 rows (37 codes: `400.8` has two texts), in the spec's order.
        pub const SPEC_ERRORS: &[SpecError] = &[$(SpecError { code: $code, text: $text }),*];
    };
}

rows! {
    "400.1" => "Bad [ConfData] Field",
    "400.2" => "Invalid JSON",
    "400.3" => "Invalid Date Format",
    "400.4" => "Invalid Date Value",
    "400.5" => "Incorrect [COMMENT] Field",
    "400.6" => "No [COMMAND] field",
    "400.7" => "Bad Content-Type (No Line for multipart/form- data;boundary=)",
    "400.8" => "Bad Content (No Form part)",
    "400.8" => "Bad Content (Incorrect Form)",
    "400.9" => "Invalid [CTN] Field",
    "400.10" => "Invalid [ATOMICITY] Field",
    "400.11" => "Invalid [OrderID] value",
    "401.1" => "Unknown UserName or Password",
    "404.100" => "Invalid BNumber(s)",
    "404.101" => "Missing RNumber(s)",
    "404.102" => "Invalid ANumber(s)",
    "404.103" => "Reserved",
    "404.104" => "Voice File(s) not Found",
    "404.105" => "Invalid ListID",
    "404.106" => "Invalid CDRID",
    "404.107" => "Missing or Incorrect ListID",
    "404.108" => "Missing or Incorrect ANumber(s)",
    "404.109" => "Missing Voice File(s)",
    "404.110" => "Missing or Incorrect BNumber(s)",
    "404.111" => "Missing CDRID",
    "404.112" => "Invalid URL",
    "404.113" => "Requested File Not Found",
    "404.114" => "Missing CTN",
    "404.115" => "Reservation Not Found",
    "409.1" => "All Voice Files in use",
    "409.2" => "Multiple Reservations Not Allowed",
    "413.1" => "Data size too big",
    "413.2" => "Too many records in Black List",
    "415.1" => "Invalid Voice File Format",
    "500.1" => "Execution Error",
    "500.2" => "Server Exception Error",
    "500.3" => "DB Connection Error",
    "501.1" => "Command Not Found",
}

/// Looks a row up by code, for the handlers' own refusals (the codes are the table's).
pub(crate) fn row(code: &str) -> &'static SpecError {
    SpecError::by_code(code).unwrap_or(&SPEC_ERRORS[SPEC_ERRORS.len() - 1])
}

/// The 400.8 row for an unreadable form.
pub(crate) fn incorrect_form() -> &'static SpecError {
    SPEC_ERRORS
        .iter()
        .find(|e| e.text == "Bad Content (Incorrect Form)")
        .expect("the table has both 400.8 rows")
}

/// The error body of 4.19 with the row's status; `auxcode` stands for Beeline's
/// debugging aid, `command` for the function that failed (empty when unknown).
pub(crate) fn answer(err: &SpecError, command: &str, auxcode: u64) -> Response {
    let body = json!({
        "STATUS": "ERROR",
        "AUXCODE": format!("SIM-{auxcode}"),
        "COMMAND": command,
        "ERR_CODE": err.code,
        "ERR_DESCRIPTION": err.text,
    });
    let mut resp = (err.http_status(), axum::Json(body)).into_response();
    if err.code == "401.1" {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Beeline cloudcc (simulator)\""),
        );
    }
    resp
}
