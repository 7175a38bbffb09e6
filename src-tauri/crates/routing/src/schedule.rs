//! Weekly opening hours as sorted minute-of-week intervals: whether a plan is open is one
//! binary search over a handful of numbers.

use callboard_model::WeeklySlot;

use crate::Problem;

pub(crate) const MINUTES_PER_DAY: u16 = 24 * 60;
pub(crate) const MINUTES_PER_WEEK: u16 = 7 * MINUTES_PER_DAY;

/// The open minutes of a week, Monday 00:00 = 0, as disjoint sorted `[start, end)` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Week(Box<[(u16, u16)]>);

impl Week {
    /// The union of the slots; on error, the field (relative to the slot list) at fault.
    pub(crate) fn build(slots: &[WeeklySlot]) -> Result<Week, (String, Problem)> {
        let mut runs = Vec::new();
        for (i, slot) in slots.iter().enumerate() {
            let start = parse_hhmm(&slot.start, false)
                .ok_or_else(|| (format!("[{i}].start"), bad_time(&slot.start)))?;
            let end = parse_hhmm(&slot.end, true)
                .ok_or_else(|| (format!("[{i}].end"), bad_time(&slot.end)))?;
            if slot.days.is_empty() {
                return Err((format!("[{i}].days"), Problem::NoDays));
            }
            // At or before the start: the slot ends on the next day.
            let length = if end > start {
                end - start
            } else {
                end + MINUTES_PER_DAY - start
            };
            for day in &slot.days {
                let from = day.index() as u16 * MINUTES_PER_DAY + start;
                let to = from + length;
                if to <= MINUTES_PER_WEEK {
                    runs.push((from, to));
                } else {
                    // Sunday night into Monday morning.
                    runs.push((from, MINUTES_PER_WEEK));
                    runs.push((0, to - MINUTES_PER_WEEK));
                }
            }
        }
        runs.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::with_capacity(runs.len());
        for (from, to) in runs {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        Ok(Week(merged.into_boxed_slice()))
    }

    pub(crate) fn contains(&self, minute_of_week: u16) -> bool {
        let after = self.0.partition_point(|&(from, _)| from <= minute_of_week);
        after > 0 && minute_of_week < self.0[after - 1].1
    }
}

fn bad_time(value: &str) -> Problem {
    Problem::BadTime {
        value: value.to_string(),
    }
}

/// Minutes since midnight of `H:MM` or `HH:MM`; `24:00` only where it is an end.
pub(crate) fn parse_hhmm(s: &str, end: bool) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let two_digits =
        |t: &str, min: usize| (min..=2).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h, 1) || !two_digits(m, 2) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (0..=23, 0..=59) => Some(h * 60 + m),
        (24, 0) if end => Some(MINUTES_PER_DAY),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callboard_model::Day;

    fn slot(days: &[Day], start: &str, end: &str) -> WeeklySlot {
        WeeklySlot {
            days: days.to_vec(),
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn times_parse_strictly() {
        assert_eq!(parse_hhmm("09:30", false), Some(570));
        assert_eq!(parse_hhmm("9:30", false), Some(570));
        assert_eq!(parse_hhmm("23:59", false), Some(1439));
        assert_eq!(parse_hhmm("24:00", true), Some(1440));
        for bad in [
            "24:00", "24:01", "12:60", "12:5", "123:00", "", ":", "ab:cd", "-1:00", "12.00",
        ] {
            assert_eq!(parse_hhmm(bad, false), None, "{bad:?}");
        }
        assert_eq!(parse_hhmm("24:01", true), None);
    }

    #[test]
    fn runs_merge_and_wrap_the_week() {
        let week = Week::build(&[
            slot(&[Day::Mo, Day::Tu], "09:00", "13:00"),
            slot(&[Day::Mo], "12:00", "18:00"),
            slot(&[Day::Su], "22:00", "02:00"),
        ])
        .unwrap();
        assert_eq!(
            &*week.0,
            &[
                (0, 120),
                (540, 1080),
                (1440 + 540, 1440 + 780),
                (6 * 1440 + 1320, 10080)
            ]
        );
        assert!(week.contains(0) && week.contains(119) && !week.contains(120));
        assert!(week.contains(540) && week.contains(1079) && !week.contains(1080));
        assert!(!week.contains(539) && week.contains(10079));
    }

    #[test]
    fn equal_ends_mean_a_whole_day() {
        let week = Week::build(&[slot(&[Day::We], "00:00", "00:00")]).unwrap();
        assert_eq!(&*week.0, &[(2 * 1440, 3 * 1440)]);
        let week = Week::build(&[slot(&[Day::We], "00:00", "24:00")]).unwrap();
        assert_eq!(&*week.0, &[(2 * 1440, 3 * 1440)]);
    }

    #[test]
    fn bad_slots_name_their_field() {
        let err = Week::build(&[
            slot(&[Day::Mo], "09:00", "18:00"),
            slot(&[], "1:00", "2:00"),
        ])
        .unwrap_err();
        assert_eq!(err, ("[1].days".to_string(), Problem::NoDays));
        let err = Week::build(&[slot(&[Day::Mo], "24:00", "18:00")]).unwrap_err();
        assert_eq!(err.0, "[0].start");
    }
}
