//! Escaping data for generated typst sources.
//!
//! Report text comes from spreadsheets filled in by schools (names, notes,
//! free-form remarks). Pasted into a typst source unescaped, a `#` would run
//! code (e.g. `#read(..)`), `*` would start bold text and `=` at a line start
//! a heading. Everything generated from data must go through one of these.
//!
//! The plan's narrative fields (overview, progress, next steps, conclusion …)
//! are data too: a drafter's `/*` or `#let f(x) = f(x)` must print, not run.
//! [`typst_prose`] escapes them like any value and adds only what a report
//! paragraph needs: paragraphs and `**粗体**`.

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
            // Typst also breaks lines at these; keep them forced breaks.
            '\n' | '\u{2028}' | '\u{2029}' => out.push_str("\\\n"),
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

/// The plan's narrative text as report paragraphs that print literally.
///
/// - Every line break (`\n`, `\r\n`, a lone `\r`, U+2028/2029) starts a new
///   paragraph, set in the document's paragraph style (first line indented
///   two characters); blank lines add nothing. In the plan a drafter writes
///   one paragraph per line, whether the YAML block is `|` (each line kept)
///   or `>-` (a blank line between paragraphs): Chinese text is never
///   wrapped by hand, so a line break inside a paragraph is not a thing.
/// - Spaces at either end of a paragraph are dropped, including the
///   full-width `　　` drafters type out of habit: the style indents.
/// - `**粗体**` is bold (typst `strong`), within one paragraph. Everything
///   else prints as typed: a lone `**`, `*单星*`, `_x_`, `#`, `/*`, `$` ….
///
/// For markup mode: the first paragraph continues the template text before
/// it, e.g. `1.标题。{{ item.progress|prose }}`.
pub fn typst_prose(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for line in s.split(is_line_break) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        push_emphasised(line, &mut out);
    }
    out
}

fn is_line_break(c: char) -> bool {
    // \x0b and \x0c are newlines to typst as well.
    matches!(
        c,
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// One paragraph: `**…**` spans in `#strong[…]`, the rest escaped. A `**`
/// with no closing `**`, or closing nothing but spaces, is literal.
fn push_emphasised(line: &str, out: &mut String) {
    let mut rest = line;
    while let Some(open) = rest.find("**") {
        let inner = &rest[open + 2..];
        // The closing `**` needs at least one character before it.
        let close = inner
            .char_indices()
            .nth(1)
            .and_then(|(skip, _)| inner[skip..].find("**").map(|i| i + skip))
            .filter(|&i| !inner[..i].trim().is_empty());
        let Some(close) = close else {
            break;
        };
        out.push_str(&typst_markup(&rest[..open]));
        out.push_str("#strong[");
        out.push_str(&typst_markup(&inner[..close]));
        out.push(']');
        rest = &inner[close + 2..];
    }
    out.push_str(&typst_markup(rest));
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
    fn prose_paragraphs_and_bold() {
        assert_eq!(typst_prose("中文"), "中文");
        assert_eq!(
            typst_prose("  　　一段。\n\n\n二段。\r\n三段\r四段\u{2028}五"),
            "一段。\n\n二段。\n\n三段\n\n四段\n\n五"
        );
        assert_eq!(typst_prose("要**加快**建设"), "要#strong[加快]建设");
        assert_eq!(
            typst_prose("**a*b** c **d**"),
            "#strong[a\\*b] c #strong[d]"
        );
        for literal in [
            "**",
            "a ** b",
            "****",
            "** **",
            "*单星*",
            "_x_",
            "**未闭合\n另一段**",
        ] {
            let out = typst_prose(literal);
            assert!(!out.contains("#strong"), "{literal:?} → {out:?}");
        }
        assert_eq!(typst_prose(""), "");
        assert_eq!(typst_prose(" \n\t\n"), "");
    }

    /// Hostile prose parses to paragraphs of plain text and `strong` only.
    #[test]
    fn prose_parses_to_text_and_strong() {
        use typst::syntax::{SyntaxKind, SyntaxNode, parse};

        fn check(node: &SyntaxNode, depth: usize) {
            for child in node.children() {
                let kind = child.kind();
                let ok = matches!(
                    kind,
                    SyntaxKind::Text
                        | SyntaxKind::Escape
                        | SyntaxKind::Space
                        | SyntaxKind::Parbreak
                ) || depth > 0 && kind == SyntaxKind::Markup;
                if kind == SyntaxKind::FuncCall {
                    let callee = child.children().next().map(|c| c.full_text().to_string());
                    assert_eq!(callee.as_deref(), Some("strong"), "{:?}", child.full_text());
                    let args = child.children().nth(1).expect("args");
                    for arg in args.children() {
                        match arg.kind() {
                            SyntaxKind::ContentBlock => {
                                for part in arg.children() {
                                    match part.kind() {
                                        SyntaxKind::Markup => check(part, depth + 1),
                                        SyntaxKind::LeftBracket | SyntaxKind::RightBracket => {}
                                        other => panic!("{other:?} in strong"),
                                    }
                                }
                            }
                            other => panic!("{other:?} argument of strong"),
                        }
                    }
                } else if kind == SyntaxKind::Hash {
                    // `#` of `#strong[…]`.
                } else {
                    assert!(ok, "unexpected {kind:?} {:?}", child.full_text());
                }
            }
        }

        let hostile = "　　#read(\"/etc/passwd\") *单星* _x_ $y$ <a> @b [c] // d /* e `f` \\ ~ ' \" \
                       \n= 标题\r\n- 列表\r+ 编号\n/ 术语: 解释\n\n1. 一 {} [] #let f(x) = f(x)\n#f(1) \
                       **粗体**(x) **[y]** **.z** ** 孤星 \\u{41}";
        let root = parse(&typst_prose(hostile));
        assert!(root.errors_and_warnings().0.is_empty(), "{root:#?}");
        check(&root, 0);
        assert_eq!(
            root.children()
                .filter(|c| c.kind() == SyntaxKind::Parbreak)
                .count(),
            6
        );
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

    /// Compiles hostile prose and reads the pages back: each paragraph is
    /// its line, literally, on its own indented line; `**粗体**` is set in
    /// the bold cut and nothing else is.
    #[test]
    fn compiled_prose_is_literal_paragraphs() {
        use typst::layout::{Frame, FrameItem, Point};
        use typst::text::FontWeight;

        fn runs(frame: &Frame, at: Point, out: &mut Vec<(f64, f64, String, FontWeight)>) {
            for (pos, item) in frame.items() {
                match item {
                    FrameItem::Group(group) => runs(&group.frame, at + *pos, out),
                    FrameItem::Text(text) => out.push((
                        (at + *pos).y.to_pt(),
                        (at + *pos).x.to_pt(),
                        text.text.to_string(),
                        text.font.font().info().variant.weight,
                    )),
                    _ => {}
                }
            }
        }

        let lines = [
            "#read(\"/etc/passwd\") /* 未闭合 // d \\ $x$ @ref _x_ <label>",
            "#let f(x) = f(x) #f(1) {} [] ** 孤星 *单星*",
            "要**粗体**强调",
        ];
        let prose = format!("　　{}\r\n\n{}\r{}", lines[0], lines[1], lines[2]);
        let main = format!(
            "#set page(width: 400mm, height: auto, margin: 10mm)\n\
             #set text(font: \"FandolSong\", size: 10pt)\n\
             #set par(first-line-indent: (amount: 2em, all: true))\n{}",
            typst_prose(&prose)
        );
        let date = chrono::NaiveDate::from_ymd_opt(2024, 5, 20).expect("date");
        let mut job = super::super::RenderJob::new(main, ".", date);
        job.system_fonts = false;
        let rendered = super::super::render(&job).expect("renders");
        let mut found = Vec::new();
        runs(
            &rendered.document.pages()[0].frame,
            Point::zero(),
            &mut found,
        );
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut by_line: Vec<(f64, f64, String)> = Vec::new();
        for (y, x, text, _) in &found {
            match by_line.last_mut() {
                Some(line) if (line.0 - y).abs() < 0.5 => line.2.push_str(text),
                _ => by_line.push((*y, *x, text.clone())),
            }
        }
        let texts: Vec<&str> = by_line.iter().map(|l| l.2.as_str()).collect();
        let printed = [lines[0], lines[1], "要粗体强调"];
        assert_eq!(texts, printed, "one paragraph per line, literally");
        for line in &by_line {
            // 10 mm margin + 2 em indent.
            assert!(
                (line.1 - (10.0 * 72.0 / 25.4 + 20.0)).abs() < 0.5,
                "indent {line:?}"
            );
        }
        for (_, _, text, weight) in &found {
            let bold = *weight >= FontWeight::BOLD;
            assert_eq!(bold, text == "粗体", "{text:?} weight {weight:?}");
        }
    }
}
