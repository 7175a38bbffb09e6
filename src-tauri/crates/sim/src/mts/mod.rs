//! A simulator of MTS @втосекретарь's REST API (`shared/specs/mts-autosecretary.md`):
//! the UN list, UN settings and call records by time and by record id, in the
//! `{value, status_code, status_msg}` envelope, with the spec's quirks on the wire.

mod dataset;
mod endpoints;
mod examples;
mod hooks;
mod render;
mod server;

pub use dataset::{MTS_SPEC_UN, MTS_UN_NUMBERS, MtsDataset, MtsRecord};
pub use endpoints::{MTS_PAGE_DEFAULT, MTS_PAGE_MAX};
pub use examples::{MTS_SPEC, SpecExample};
pub use hooks::{MtsEndpoint, MtsFailure};
pub use server::{MTS_SIM_LOGIN, MTS_SIM_PASSWORD, MtsSim, MtsSimAuth, MtsSimOptions};

/// A `cdr/bytime` or `cdr/byid` page of `records` as the simulator serves it, quirks
/// included, with the (malformed) link to `next_page` when there is one; benchmarks feed
/// it to the client's parser.
pub fn render_cdr_page(records: &[MtsRecord], next_page: Option<&str>) -> String {
    render::ok(
        &render::records(records),
        next_page
            .map(|url| render::malformed_link(url, "start_id"))
            .as_deref(),
    )
}
