//! Inline content: runs of text with their marks (strong, sub/superscript,
//! a page reference), the whitespace typst's layout would drop, and the
//! widths and sizes the walker measures in characters.

use super::super::model::*;
use super::super::spec;
use super::{attr, children, role, tag};
use typst_html::{HtmlElement, HtmlNode};

/// Marks of the inline content being gathered into one paragraph.
#[derive(Default, Clone, Copy)]
pub(super) struct Marks {
    pub bold: bool,
    pub sub: bool,
    pub sup: bool,
    pub font: Option<Font>,
}

/// A paragraph of an element's inline content, style left to the caller.
pub(super) fn para(e: &HtmlElement) -> Para {
    Para {
        runs: texts(e),
        ..Para::default()
    }
}

pub(super) fn centred(runs: Vec<Run>) -> Para {
    Para {
        jc: Some(Jc::Center),
        ind: Some(Ind::default()),
        runs,
        ..Para::default()
    }
}

/// The `<p>` children of a title-like element, one paragraph each.
pub(super) fn lines(e: &HtmlElement) -> Vec<Para> {
    let ps: Vec<Para> = children(e).filter(|c| tag(c) == "p").map(para).collect();
    if ps.is_empty() { vec![para(e)] } else { ps }
}

pub(super) fn texts(e: &HtmlElement) -> Vec<Run> {
    let mut runs = Vec::new();
    for n in &e.children {
        inline(n, Marks::default(), &mut runs);
    }
    tidy(runs)
}

pub(super) fn text(s: &str) -> Run {
    Run::Text(Text {
        text: s.to_string(),
        ..Text::default()
    })
}

pub(super) fn inline(node: &HtmlNode, marks: Marks, out: &mut Vec<Run>) {
    match node {
        HtmlNode::Text(t, _) => out.push(Run::Text(Text {
            text: t.to_string(),
            bold: marks.bold,
            sub: marks.sub,
            sup: marks.sup,
            font: marks.font,
        })),
        HtmlNode::Element(e) => {
            if role(e) == Some("pageref") {
                out.push(Run::PageRef(school_bookmark(
                    attr(e, "data-key").unwrap_or(""),
                )));
                return;
            }
            let mut m = marks;
            match tag(e).as_str() {
                "br" => {
                    out.push(Run::Break);
                    return;
                }
                "strong" | "b" => {
                    m.bold = true;
                    // 仿宋 has no bold cut: **粗体** is set in 黑体, as in the PDF.
                    m.font = Some(Font::Heiti);
                }
                "sub" => m.sub = true,
                "sup" => m.sup = true,
                _ => {}
            }
            for c in &e.children {
                inline(c, m, out);
            }
        }
        // A drawing inside a line (a bar in a table cell): a picture there.
        HtmlNode::Frame(f) => out.push(Run::Image(super::super::image::picture(&f.inner))),
        HtmlNode::Tag(_) => {}
    }
}

/// Merges neighbouring runs of the same marks and drops the spaces typst's
/// layout would drop: at the ends of a paragraph and between two CJK
/// characters (a line break in the source).
pub(super) fn tidy(runs: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for r in runs {
        match (out.last_mut(), r) {
            (Some(Run::Text(a)), Run::Text(b))
                if a.bold == b.bold && a.sub == b.sub && a.sup == b.sup && a.font == b.font =>
            {
                a.text.push_str(&b.text);
            }
            (_, r) => out.push(r),
        }
    }
    for r in &mut out {
        if let Run::Text(t) = r {
            t.text = collapse(&t.text);
        }
    }
    // Trim the paragraph's ends.
    if let Some(Run::Text(t)) = out.first_mut() {
        t.text = t
            .text
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .to_string();
    }
    if let Some(Run::Text(t)) = out.last_mut() {
        t.text = t.text.trim_end_matches([' ', '\t', '\n', '\r']).to_string();
    }
    out.retain(|r| !matches!(r, Run::Text(t) if t.text.is_empty()));
    out
}

pub(super) fn collapse(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    // Only the spaces of the source collapse; U+3000 (全角空格, as in
    // "目　　录") is text.
    let space = |c: &char| matches!(c, ' ' | '\t' | '\n' | '\r');
    for (i, &c) in chars.iter().enumerate() {
        if space(&c) {
            let prev = out.chars().last();
            let next = chars[i + 1..].iter().copied().find(|c| !space(c));
            let cjk = |c: Option<char>| c.is_some_and(is_wide);
            if prev.is_some_and(|p| space(&p)) || (cjk(prev) && cjk(next)) {
                continue;
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// Full-width characters: CJK ideographs and punctuation.
pub(super) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60)
}

/// Width of a text in body characters: full-width 1, others one half.
pub(super) fn chars(s: &str) -> f64 {
    s.chars()
        .map(|c| if is_wide(c) || c == '—' { 1.0 } else { 0.5 })
        .sum()
}

pub fn plain(runs: &[Run]) -> String {
    runs.iter()
        .filter_map(|r| match r {
            Run::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect()
}

pub(super) fn school_bookmark(key: &str) -> String {
    let safe: String = key.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("school_{safe}")
}

/// "10.5pt" → half-points.
pub(super) fn pt_size(s: &str) -> Option<u32> {
    let n: f64 = s.strip_suffix("pt")?.parse().ok()?;
    Some(((n * 2.0).round() as u32).max(spec::MIN_SIZE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_between_chinese_characters_go_as_in_typst() {
        assert_eq!(collapse("全县\n学校 共 139 所"), "全县学校共 139 所");
        assert_eq!(collapse("a  b"), "a b");
        assert_eq!(collapse("目　　录"), "目　　录");
    }

    #[test]
    fn widths_count_full_and_half_characters() {
        assert_eq!(
            chars("2024年5月20日"),
            4.0 * 0.5 + 1.0 + 0.5 + 1.0 + 1.0 + 1.0
        );
    }
}
