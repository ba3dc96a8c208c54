//! Where a problem is: field paths (`setups[2].msp`), and the line and column a path or a byte
//! offset points to in the scenario text.
//!
//! Validation works on plain raw structs that carry no positions. Each problem it finds names a
//! [`Path`] in the TOML structure; [`span_of`] walks the parsed document (which keeps byte spans)
//! along that path, so every message points into the file without threading spans through the
//! raw structs. A path to a key that is missing resolves to its nearest existing ancestor: for a
//! missing required key, that is the table that should contain it.

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::DeValue;

/// A parsed TOML value with its byte span in the scenario text.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// One step of a [`Path`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A key of a table.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// A field path in the TOML structure of a scenario, e.g. `categories[3].effort_h.p90`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Path(Vec<Seg>);

impl Path {
    /// The document itself.
    pub(crate) fn root() -> Path {
        Path(Vec::new())
    }

    /// This path extended by a table key.
    pub(crate) fn key(&self, key: &str) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_owned()));
        p
    }

    /// This path extended by an array index.
    pub(crate) fn index(&self, index: usize) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Index(index));
        p
    }

    /// Whether `prefix` is this path or one of its ancestors.
    pub(crate) fn starts_with(&self, prefix: &Path) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The steps of the path.
    pub(crate) fn segments(&self) -> &[Seg] {
        &self.0
    }
}

/// Whether a key can be written without quotes (TOML bare key).
pub(crate) fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl fmt::Display for Path {
    /// Keys are joined by dots and indexes are written `[i]`; a key that is not a bare TOML key
    /// is quoted as TOML would quote it, so the path can be read back unambiguously.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if is_bare_key(k) {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The span of the value at `path`, or of its nearest existing ancestor.
///
/// The root of a document has the empty span `0..0`, which [`LineIndex`] reports as 1:1.
pub(crate) fn span_of(root: &Value<'_>, path: &Path) -> Range<usize> {
    let mut current = root;
    for seg in path.segments() {
        let next = match (seg, current.get_ref()) {
            (Seg::Key(k), DeValue::Table(t)) => t.get(k.as_str()),
            (Seg::Index(i), DeValue::Array(a)) => a.get(*i),
            _ => None,
        };
        match next {
            Some(v) => current = v,
            None => break,
        }
    }
    current.span()
}

/// Byte offsets of line starts, to turn spans into 1-based lines and columns.
#[derive(Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `text`.
    pub(crate) fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// 1-based line and column (in characters, not bytes) of byte `offset` in `text`.
    ///
    /// Offsets past the end point just after the last character; an offset inside a
    /// multi-byte character counts as that character, so no offset can panic.
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let bytes = text.as_bytes();
        let mut offset = offset.min(text.len());
        // Step back to the start of the character that contains `offset`.
        while offset > 0 && offset < bytes.len() && bytes[offset] & 0xC0 == 0x80 {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        // Counting the bytes that start a character counts characters.
        let col = bytes[start..offset]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        (line, col + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::de::DeTable;

    fn parse(text: &str) -> Value<'_> {
        let t = DeTable::parse(text).expect("valid TOML");
        Spanned::new(t.span(), DeValue::Table(t.into_inner()))
    }

    fn at(text: &str, path: &Path) -> (usize, usize) {
        let root = parse(text);
        LineIndex::new(text).line_col(text, span_of(&root, path).start)
    }

    #[test]
    fn path_display_quotes_keys_that_are_not_bare() {
        let p = Path::root()
            .key("setups")
            .index(2)
            .key("msp")
            .key("response_h")
            .key("P1");
        assert_eq!(p.to_string(), "setups[2].msp.response_h.P1");
        let q = Path::root().key("profiles").key("a b").key("x");
        assert_eq!(q.to_string(), r#"profiles."a b".x"#);
        assert_eq!(Path::root().to_string(), "");
    }

    #[test]
    fn starts_with_compares_whole_segments() {
        let a = Path::root().key("company");
        let b = a.key("pcs");
        assert!(b.starts_with(&a));
        assert!(b.starts_with(&b));
        assert!(!a.starts_with(&b));
        assert!(!Path::root().key("companyx").starts_with(&a));
    }

    #[test]
    fn finds_values_in_tables_arrays_and_inline_tables() {
        let text = "name = \"x\"\n[company]\npcs = 50\n\n[[setups]]\nname = \"A\"\n\
                    [[setups]]\nname = \"B\"\ntiers = [ { admins = [\"anna\", \"ben\"] } ]\n";
        assert_eq!(at(text, &Path::root().key("company").key("pcs")), (3, 7));
        let b = Path::root().key("setups").index(1);
        assert_eq!(at(text, &b.key("name")), (8, 8));
        let ben = b.key("tiers").index(0).key("admins").index(1);
        assert_eq!(at(text, &ben), (9, 31));
    }

    #[test]
    fn missing_keys_resolve_to_the_nearest_ancestor() {
        let text = "name = \"x\"\n\n[company]\npcs = 50\n";
        // A missing key in [company] points to the table header.
        assert_eq!(at(text, &Path::root().key("company").key("users")), (3, 1));
        // A missing top-level table points to the start of the file.
        assert_eq!(
            at(text, &Path::root().key("simulation").key("seed")),
            (1, 1)
        );
        // An index past the end points to the array.
        let text = "xs = [1, 2]\n";
        assert_eq!(at(text, &Path::root().key("xs").index(5)), (1, 6));
    }

    #[test]
    fn columns_count_characters_and_never_panic() {
        let text = "a = \"äöü\" # ß\nb = 1";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        let b = text.find('b').unwrap();
        assert_eq!(idx.line_col(text, b), (2, 1));
        let hash = text.find('#').unwrap();
        assert_eq!(idx.line_col(text, hash), (1, 11));
        // Inside the two-byte 'ä' and past the end.
        assert_eq!(idx.line_col(text, 6), (1, 6));
        assert_eq!(idx.line_col(text, 10_000), (2, 6));
        assert_eq!(LineIndex::new("").line_col("", 0), (1, 1));
    }
}
