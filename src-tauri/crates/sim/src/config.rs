//! The callboard config file that points the app at a running simulator.
//!
//! Demo mode and the `--write-config` flag use this so nobody has to hand-edit
//! ports into TOML; the password is referenced by env var, never written out.

use crate::server::SimAccount;

/// Renders a callboard TOML config with one MTT account whose hosts are the
/// simulator at `sim_base_url` and whose password is read from `password_env`.
pub fn config_toml(sim_base_url: &str, account: &SimAccount, password_env: &str) -> String {
    let base = sim_base_url.trim_end_matches('/');
    let numbers = string_array(&account.sip_ids);
    format!(
        r#"# callboard config pointing at the MTT simulator (callboard-sim).
[[accounts]]
id = "mtt-sim"
provider = "mtt"
name = "MTT (simulator)"
numbers = {numbers}

[accounts.credentials]
login = {login}
password = {{ env = {env} }}

[accounts.mtt]
customer_name = {customer}
sip_ids = {numbers}

[accounts.hosts]
webapicommon = {rpc}
rc = {rc}
"#,
        login = quote(&account.login),
        env = quote(password_env),
        customer = quote(&account.customer_name),
        rpc = quote(&format!("{base}/index.php")),
        rc = quote(base),
    )
}

fn string_array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// TOML basic string with the escapes TOML requires.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_expected_shape() {
        let got = config_toml(
            "http://127.0.0.1:8790/",
            &SimAccount::fixed(),
            "CALLBOARD_SIM_PASSWORD",
        );
        let want = r#"# callboard config pointing at the MTT simulator (callboard-sim).
[[accounts]]
id = "mtt-sim"
provider = "mtt"
name = "MTT (simulator)"
numbers = ["74996480000", "74996480001", "74996480002"]

[accounts.credentials]
login = "110011256"
password = { env = "CALLBOARD_SIM_PASSWORD" }

[accounts.mtt]
customer_name = "110011256"
sip_ids = ["74996480000", "74996480001", "74996480002"]

[accounts.hosts]
webapicommon = "http://127.0.0.1:8790/index.php"
rc = "http://127.0.0.1:8790"
"#;
        assert_eq!(got, want);
    }

    #[test]
    fn quotes_are_escaped() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
