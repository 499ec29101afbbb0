//! Escaping data for generated typst sources.
//!
//! Report text comes from spreadsheets filled in by schools (names, notes,
//! free-form remarks). Pasted into a typst source unescaped, a `#` would run
//! code (e.g. `#read(..)`), `*` would start bold text and `=` at a line start
//! a heading. Everything generated from data must go through one of these.

/// A typst string literal (with quotes) whose value is exactly `s`.
///
/// Use it in code mode: `#text(font: ..)[#{typst_str(s)}]` or as a function
/// argument.
pub fn typst_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Other control characters have no short escape; keep them
            // visible to typst as code points rather than raw bytes.
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for markup mode that prints `s` literally.
///
/// Every ASCII punctuation character is backslash-escaped: typst treats
/// `\` followed by any non-space character as that character, and escaping
/// them all is simpler to get right than tracking which ones are special in
/// which position (`=` and `-` only at line start, `*` only at word
/// boundaries, …). A newline becomes a forced line break (`\` + newline),
/// so it can neither end a paragraph nor start a heading or list; other
/// control characters are dropped since they would print nothing anyway.
pub fn typst_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                // CRLF and lone CR both mean one line break.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\\n");
            }
            '\n' => out.push_str("\\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_literal() {
        assert_eq!(typst_str("abc"), "\"abc\"");
        assert_eq!(typst_str("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(typst_str("x\ny\tz\r"), r#""x\ny\tz\r""#);
        assert_eq!(typst_str("\u{1}\u{7f}"), r#""\u{1}\u{7f}""#);
        assert_eq!(typst_str("县#{}$"), "\"县#{}$\"");
    }

    #[test]
    fn markup_text() {
        assert_eq!(typst_markup("中文"), "中文");
        assert_eq!(typst_markup("#read(\"/x\")"), r#"\#read\(\"\/x\"\)"#);
        assert_eq!(typst_markup("= a"), r"\= a");
        assert_eq!(typst_markup("a\r\nb\nc"), "a\\\nb\\\nc");
        assert_eq!(typst_markup("\\u{41}"), r"\\u\{41\}");
        assert_eq!(typst_markup("a\u{0}b\tc"), "ab c");
    }

    /// Evaluates the escapes with typst's own parser: the produced source
    /// must parse without errors into text, escapes and spaces only.
    #[test]
    fn markup_parses_to_plain_text() {
        use typst::syntax::{SyntaxKind, parse};
        let hostile = "#read(\"/etc/passwd\") *粗体* _x_ $y$ <a> @b [c] // d /* e */ `f` \
                       \n= 标题\n- 列表\n+ 编号\n/ 术语: 解释\n1. 一\n\\ ~ ' \" -- ... http://x.cn \\u{41}";
        let root = parse(&typst_markup(hostile));
        assert!(root.errors_and_warnings().0.is_empty(), "{root:#?}");
        for child in root.children() {
            assert!(
                matches!(
                    child.kind(),
                    SyntaxKind::Text
                        | SyntaxKind::Escape
                        | SyntaxKind::Space
                        | SyntaxKind::Linebreak
                ),
                "unexpected {:?} {:?}",
                child.kind(),
                child.full_text()
            );
        }
    }

    #[test]
    fn str_parses_to_same_value() {
        use typst::syntax::{SyntaxKind, parse_code};
        let s = "a\"b\\c\nd\u{1}e #{x} $y$";
        let root = parse_code(&typst_str(s));
        assert!(root.errors_and_warnings().0.is_empty());
        let kinds: Vec<SyntaxKind> = root.children().map(|c| c.kind()).collect();
        assert_eq!(kinds, vec![SyntaxKind::Str]);
    }

    /// Compiles the escaped text and reads the laid-out text back: it must
    /// be the input, character for character.
    #[test]
    fn compiled_text_equals_input() {
        use typst::layout::{Frame, FrameItem};

        fn text_of(frame: &Frame, out: &mut String) {
            for (_, item) in frame.items() {
                match item {
                    FrameItem::Group(group) => text_of(&group.frame, out),
                    FrameItem::Text(text) => out.push_str(&text.text),
                    _ => {}
                }
            }
        }

        let hostile = "#read(\"/etc/passwd\") *粗体* _x_ $y$ <a> @b [c] // d /* e */ `f` \\ ~ ' \" -- ... = - + / 1. http://x.cn \\u{41} #{1+1}";
        let date = chrono::NaiveDate::from_ymd_opt(2024, 5, 20).expect("date");
        for source in [typst_markup(hostile), format!("#{}", typst_str(hostile))] {
            // One unbounded line: no line breaks to lose spaces at.
            let main = format!(
                "#set page(width: auto, height: auto)\n#set text(font: \"FandolSong\")\n{source}"
            );
            let mut job = super::super::RenderJob::new(main, ".", date);
            job.system_fonts = false;
            let rendered = super::super::render(&job).expect("renders");
            let mut text = String::new();
            text_of(&rendered.document.pages()[0].frame, &mut text);
            assert_eq!(text, hostile, "from {source}");
        }
    }
}
