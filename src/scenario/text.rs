//! Free text of a scenario (its name, setup names) that reaches terminals, CSV files, SVG charts
//! and the HTML report: which characters it may not contain, and how to show one in a message.
//!
//! Refused are the characters that do something instead of showing something: control
//! characters (C0 including tab and newline, DEL, C1), which drive the terminal (ESC sequences),
//! break table rows and are not allowed in XML at all; the bidirectional embeddings, overrides
//! and isolates (U+202A–U+202E, U+2066–U+2069), which make text display in a different order
//! than it is stored ("Trojan Source"); line and paragraph separators (U+2028, U+2029); and the
//! noncharacters U+FFFE and U+FFFF, which XML does not allow either. Escaping them instead would
//! give a name that reads differently in every output; refusing them costs nothing, since no
//! name needs them.

use std::borrow::Cow;

/// What kind of character `c` is, if it may not appear in a name.
pub(crate) fn forbidden(c: char) -> Option<&'static str> {
    match c {
        c if c.is_control() => Some("a control character"),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some("a bidirectional text control"),
        '\u{2028}' | '\u{2029}' => Some("a line break"),
        '\u{FFFE}' | '\u{FFFF}' => Some("a noncharacter"),
        _ => None,
    }
}

/// The first character of `s` that may not appear in a name: what is wrong and what would be
/// right, or `None` if `s` is fine.
pub(crate) fn check(s: &str) -> Option<(String, String)> {
    let (i, c) = s
        .chars()
        .enumerate()
        .find(|&(_, c)| forbidden(c).is_some())?;
    let kind = forbidden(c)?;
    Some((
        format!(
            "{kind} (U+{:04X}) at character {} of {}",
            u32::from(c),
            i + 1,
            quoted(s)
        ),
        "names appear in tables, CSV files, charts and the report: use printable characters only"
            .to_owned(),
    ))
}

/// `s` in quotes, with every forbidden character written as an escape (`\u{1b}`), so that a
/// message about it cannot itself drive the terminal.
pub(crate) fn quoted(s: &str) -> String {
    format!("\"{}\"", printable(s))
}

/// `s` with every forbidden character written as a Rust-style escape (`\u{1b}`, `\n`).
pub(crate) fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| forbidden(c).is_some()) {
        return s.into();
    }
    s.chars()
        .map(|c| match forbidden(c) {
            Some(_) => c.escape_debug().to_string(),
            None => c.to_string(),
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_acts_instead_of_showing() {
        for c in [
            '\0', '\x1b', '\t', '\n', '\r', '\x7f', '\u{85}', '\u{9b}', '\u{202E}', '\u{2066}',
            '\u{2069}', '\u{2028}', '\u{FFFF}',
        ] {
            assert!(forbidden(c).is_some(), "{c:?}");
        }
        for c in [
            'a', ' ', 'ä', '€', '\'', '=', '\u{200B}', '\u{FFFD}', '😀', 'ß',
        ] {
            assert!(forbidden(c).is_none(), "{c:?}");
        }
    }

    #[test]
    fn messages_show_the_character_escaped() {
        let (message, _) = check("ab\x1b[31m").unwrap();
        assert_eq!(
            message,
            "a control character (U+001B) at character 3 of \"ab\\u{1b}[31m\""
        );
        assert!(!message.contains('\x1b'));
        assert_eq!(check("A&B <x> \"q\""), None);
        assert_eq!(printable("x\u{202E}y\n"), "x\\u{202e}y\\n");
        assert!(matches!(printable("plain"), Cow::Borrowed("plain")));
    }
}
