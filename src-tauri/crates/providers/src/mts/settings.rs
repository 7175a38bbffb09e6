//! What an MTS account needs, including the two things the spec leaves open:
//! authentication and the format of `begin` / `end`.

use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use secrecy::SecretString;
use url::Url;

use super::{DEFAULT_API, MAX_PAGE};

/// How requests authenticate. The spec only says access is granted "on request to
/// support"; HTTP Basic with the web-cabinet login is the default because the SOAP
/// side is WCF, whose usual transport credential it is.
#[derive(Debug, Clone)]
pub enum MtsAuth {
    /// `Authorization: Basic` (the default).
    Basic {
        login: String,
        password: SecretString,
    },
    /// `Authorization: Bearer <token>`.
    Bearer { token: SecretString },
    /// A header of its own (`X-Api-Key: …`).
    Header { name: String, value: SecretString },
    /// Nothing (a proxy adds it, or the account is IP-bound).
    None,
}

/// How `begin` / `end` of `cdr/bytime` are written. The spec shows two forms and
/// defines neither: `01.10.2012` in its example request, `2011-10-02T00:00:00` in the
/// API's own next-page link.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MtsDateFormat {
    /// `2012-10-02T00:00:00` local time, to the second: the form MTS itself writes in
    /// `links`, so one it must read (the default).
    #[default]
    IsoLocal,
    /// `01.10.2012`: whole days, as in the spec's example request. The window is
    /// widened to whole local days and the records outside it are dropped.
    DayMonthYear,
    /// A chrono format string; `whole_days` widens the window as `DayMonthYear` does.
    Custom { pattern: String, whole_days: bool },
}

impl MtsDateFormat {
    /// `begin` and `end` for `[from, to)`, written in `tz`.
    pub fn window(&self, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> (String, String) {
        let (pattern, whole_days) = match self {
            Self::IsoLocal => ("%Y-%m-%dT%H:%M:%S", false),
            Self::DayMonthYear => ("%d.%m.%Y", true),
            Self::Custom {
                pattern,
                whole_days,
            } => (pattern.as_str(), *whole_days),
        };
        let from = from.with_timezone(&tz);
        let to = to.with_timezone(&tz);
        if whole_days {
            let last = if to.time() == NaiveTime::MIN {
                to.date_naive()
            } else {
                to.date_naive().succ_opt().unwrap_or(to.date_naive())
            };
            (
                from.date_naive().format(pattern).to_string(),
                last.format(pattern).to_string(),
            )
        } else {
            // Whole seconds that still cover the window.
            let ceil = if to.timestamp_subsec_nanos() > 0 {
                to + chrono::Duration::seconds(1)
            } else {
                to
            };
            (
                from.format(pattern).to_string(),
                ceil.format(pattern).to_string(),
            )
        }
    }
}

/// Everything the client needs, resolved from the account's config.
#[derive(Debug, Clone)]
pub struct MtsSettings {
    /// The REST base, `https://aa.mts.ru/api/v1/`; `un` and `cdr/…` are joined to it.
    pub api: Url,
    pub auth: MtsAuth,
    pub date_format: MtsDateFormat,
    /// The zone of the API's times, which the spec does not state: Moscow by default.
    pub time_zone: Tz,
    /// `limit` per page, at most 1000.
    pub page_size: u32,
    /// The UN numbers to read; empty: every number `GET un` lists.
    pub un_numbers: Vec<String>,
    pub timeout: Duration,
}

impl MtsSettings {
    /// The documented defaults: ISO local dates, Moscow time, 1000-record pages, every
    /// UN of the account, 30 s timeout.
    pub fn new(api: Url, auth: MtsAuth) -> Self {
        Self {
            api,
            auth,
            date_format: MtsDateFormat::default(),
            time_zone: chrono_tz::Europe::Moscow,
            page_size: MAX_PAGE,
            un_numbers: Vec::new(),
            timeout: Duration::from_secs(30),
        }
    }

    /// The production API with `auth`.
    pub fn production(auth: MtsAuth) -> Self {
        Self::new(Url::parse(DEFAULT_API).expect("static URL"), auth)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Europe::Moscow;

    use super::*;

    #[test]
    fn windows_are_written_in_local_time() {
        let from = Utc.with_ymd_and_hms(2026, 3, 1, 21, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 3, 3, 9, 30, 0).unwrap();
        assert_eq!(
            MtsDateFormat::IsoLocal.window(from, to, Moscow),
            ("2026-03-02T00:00:00".into(), "2026-03-03T12:30:00".into())
        );
        assert_eq!(
            MtsDateFormat::DayMonthYear.window(from, to, Moscow),
            ("02.03.2026".into(), "04.03.2026".into())
        );
        let midnight = Utc.with_ymd_and_hms(2026, 3, 3, 21, 0, 0).unwrap();
        assert_eq!(
            MtsDateFormat::DayMonthYear.window(from, midnight, Moscow).1,
            "04.03.2026"
        );
    }
}
