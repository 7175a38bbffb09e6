//! A simulator of Beeline's cloud call center, offline part (`beeline-cloudcc.md`, part 2):
//! the CDR job (REQCDR → STATCDR → `/api/download`), recordings linked from the CDR file,
//! Basic auth, and every error of the 4.19 table on demand.

mod api;
mod dataset;
mod download;
mod errors;
mod examples;
mod server;
mod state;

pub use api::{MAX_FORM_BYTES, SPEC_CDRID};
pub use dataset::{BeelineCall, BeelineDataset, BeelineDirection, BeelineStatus, OUR_NUMBERS};
pub use download::{CDR_FILE, CDR_HEADER, RECORDING, render_cdr_file};
pub use errors::{SPEC_ERRORS, SpecError};
pub use examples::{SPEC, SpecExample};
pub use server::{BEELINE_SIM_LOGIN, BeelineSim, BeelineSimOptions};
