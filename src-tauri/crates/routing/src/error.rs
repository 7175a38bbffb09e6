use std::fmt;

/// Which rule a [`RuleError`] is about, so the UI can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleRef {
    Settings,
    Blacklist { id: i64 },
    Vip { id: i64 },
    Plan { id: i64 },
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Settings => write!(f, "routing settings"),
            Self::Blacklist { id } => write!(f, "blacklist entry {id}"),
            Self::Vip { id } => write!(f, "VIP caller {id}"),
            Self::Plan { id } => write!(f, "forwarding plan {id}"),
        }
    }
}

/// Why a rule set was refused: the rule, its field (`targets[1].timeout_secs`), and
/// what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rule}, {field}: {problem}")]
pub struct RuleError {
    pub rule: RuleRef,
    pub field: String,
    pub problem: Problem,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("unknown time zone {value:?} (an IANA name such as Europe/Moscow)")]
    UnknownTimeZone { value: String },
    #[error("{value:?} has no digits")]
    NoDigits { value: String },
    #[error("{value:?} contains {found:?}; a number has digits, spaces, a leading + and - ( ) .")]
    StrayCharacter { value: String, found: char },
    #[error("{value:?} has {digits} digits, more than a phone number's 15")]
    TooLong { value: String, digits: usize },
    #[error("{value:?} is not a time HH:MM from 00:00 to 23:59 (24:00 allowed as an end)")]
    BadTime { value: String },
    #[error("a weekly slot needs at least one day")]
    NoDays,
    #[error("at least one target is needed")]
    NoTargets,
    #[error("single mode rings one target, {count} are given")]
    SingleWithMany { count: usize },
    #[error("ring timeout {secs} s is outside 5 to 600 s")]
    Timeout { secs: u32 },
    #[error("id {id} is used by another rule of the same kind")]
    DuplicateId { id: i64 },
    #[error("{canonical} is already taken by {other}")]
    Duplicate { canonical: String, other: RuleRef },
}
