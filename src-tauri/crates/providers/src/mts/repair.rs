//! The documented repairs that let serde_json read what @втосекретарь prints.
//!
//! The spec's examples are not all JSON (SPEC-NOTES §8): `log` holds a raw line break
//! (L203–204), `links` is a key-less object `{"https:\\\\…"}` (L236), the UN example
//! ends an object with a trailing comma (L92) and leaves `voice_email` unquoted
//! (L105). Each repair touches only text that JSON forbids, so valid JSON passes
//! through unchanged; serde_json still does all the parsing.

/// Rewrites the four defects above into JSON:
/// control characters inside strings are escaped, `{"text"}` becomes `"text"`, a comma
/// before `}` or `]` is dropped, and a bare word after `:` is quoted (`true`, `false`,
/// `null` and numbers stay as they are).
pub(crate) fn repair(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '"' => i = copy_string(&c, i, &mut out),
            '{' => match keyless(&c, i) {
                Some((string_at, close_at)) => {
                    copy_string(&c, string_at, &mut out);
                    i = close_at + 1;
                }
                None => {
                    out.push('{');
                    i += 1;
                }
            },
            ',' => {
                let next = skip_ws(&c, i + 1);
                if !matches!(c.get(next), Some('}' | ']')) {
                    out.push(',');
                }
                i += 1;
            }
            ':' => {
                out.push(':');
                let start = skip_ws(&c, i + 1);
                out.extend(&c[i + 1..start]);
                i = start;
                if start < c.len() && !matches!(c[start], '"' | '{' | '[') {
                    let end = (start..c.len())
                        .find(|&k| matches!(c[k], ',' | '}' | ']' | '\n' | '\r'))
                        .unwrap_or(c.len());
                    let token: String = c[start..end].iter().collect();
                    let word = token.trim();
                    if word.is_empty() || is_literal(word) {
                        out.push_str(&token);
                    } else {
                        out.push_str(&serde_json::Value::from(word).to_string());
                    }
                    i = end;
                }
            }
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

fn is_literal(word: &str) -> bool {
    matches!(word, "true" | "false" | "null")
        || serde_json::from_str::<serde_json::Number>(word).is_ok()
}

fn skip_ws(c: &[char], mut i: usize) -> usize {
    while i < c.len() && c[i].is_whitespace() {
        i += 1;
    }
    i
}

/// Index of the closing quote of the string opening at `open`.
fn string_end(c: &[char], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// `{ "text" }` at `open`: where its string starts and where its `}` is.
fn keyless(c: &[char], open: usize) -> Option<(usize, usize)> {
    let string_at = skip_ws(c, open + 1);
    if c.get(string_at) != Some(&'"') {
        return None;
    }
    let close_at = skip_ws(c, string_end(c, string_at)? + 1);
    (c.get(close_at) == Some(&'}')).then_some((string_at, close_at))
}

/// Copies the string opening at `open`, escaping raw control characters; returns the
/// index after it.
fn copy_string(c: &[char], open: usize, out: &mut String) -> usize {
    out.push('"');
    let mut i = open + 1;
    while i < c.len() {
        match c[i] {
            '\\' => {
                out.push('\\');
                if let Some(&next) = c.get(i + 1) {
                    out.push(next);
                }
                i += 2;
            }
            '"' => {
                out.push('"');
                return i + 1;
            }
            '\n' => {
                out.push_str("\\n");
                i += 1;
            }
            '\r' => {
                out.push_str("\\r");
                i += 1;
            }
            '\t' => {
                out.push_str("\\t");
                i += 1;
            }
            ch if (ch as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", ch as u32));
                i += 1;
            }
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    c.len()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn parse(s: &str) -> Value {
        serde_json::from_str(&repair(s)).unwrap_or_else(|e| panic!("{e}: {}", repair(s)))
    }

    #[test]
    fn valid_json_is_untouched() {
        let s = r#"{"a": [1, -2.5e3, true, null, "x,}:y"], "b": {"c": "d"}, "e": "{\"f\"}"}"#;
        assert_eq!(repair(s), s);
    }

    #[test]
    fn each_defect_is_repaired() {
        assert_eq!(parse("{\"log\":\"a-\nb\"}"), json!({"log": "a-\nb"}));
        assert_eq!(
            parse(r#"{"links":{"https:\\\\h\\a"}, "v":1}"#),
            json!({"links": "https:\\\\h\\a", "v": 1})
        );
        assert_eq!(
            parse("{\"a\":[1,2,],\n\"b\":false,\n}"),
            json!({"a": [1, 2], "b": false})
        );
        assert_eq!(
            parse("{\"mail\": user@mts.ru\n, \"n\": 20 , \"t\": true}"),
            json!({"mail": "user@mts.ru", "n": 20, "t": true})
        );
    }
}
