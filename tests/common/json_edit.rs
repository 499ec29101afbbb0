//! Editing one number of a JSON that dudao wrote, in place, the way a
//! person would in a text editor: the tests of last year's evaluation JSON
//! and of a county's reported JSON plant an impossible figure this way and
//! expect the error at its line.
#![allow(dead_code)]

use std::path::Path;

/// `file` with the first number of field `key` found after `anchor` (a
/// top-level field such as `resource`; the same names before it are not
/// read) replaced by `to`. Returns the line `to` stands on, 1-based.
pub fn set_number(file: &Path, anchor: &str, key: &str, to: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    let key = format!("\"{key}\": ");
    let from = text
        .find(&format!("\n  \"{anchor}\": "))
        .unwrap_or_else(|| panic!("no top-level {anchor}"));
    let start = text
        .match_indices(&key)
        .map(|(i, _)| i + key.len())
        .filter(|&i| i > from)
        .find(|&i| text[i..].starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no number for {key}"));
    let end = start + text[start..].find([',', '\n']).unwrap();
    std::fs::write(file, format!("{}{to}{}", &text[..start], &text[end..])).unwrap();
    text[..start].lines().count()
}
