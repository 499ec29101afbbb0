//! A typst drawing (an `html.frame`, e.g. a chart) as a picture for Word:
//! rasterised with typst's own renderer at print resolution, so the picture
//! is the PDF's drawing, and its words kept as the picture's alternative
//! text.

use super::model::Image;
use typst::layout::{Frame, FrameItem};

/// 300 dpi: sharp on paper, a few hundred KB a chart.
const PIXELS_PER_PT: f64 = 300.0 / 72.0;

pub fn picture(frame: &Frame) -> Image {
    let page = typst_layout::Page {
        frame: frame.clone(),
        bleed: Default::default(),
        fill: typst::foundations::Smart::Auto,
        numbering: None,
        supplement: Default::default(),
        number: 1,
    };
    let options = typst_render::RenderOptions {
        pixel_per_pt: PIXELS_PER_PT.into(),
        render_bleed: false,
    };
    let png = typst_render::render(&page, &options)
        .encode_png()
        .unwrap_or_default();
    let emu = |pt: f64| (pt * 12_700.0).round().max(1.0) as u64;
    let mut words = Vec::new();
    text_of(frame, &mut words);
    Image {
        png,
        cx: emu(frame.width().to_pt()),
        cy: emu(frame.height().to_pt()),
        descr: words.join(" "),
    }
}

fn text_of(frame: &Frame, out: &mut Vec<String>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => text_of(&g.frame, out),
            FrameItem::Text(t) => out.push(t.text.to_string()),
            _ => {}
        }
    }
}
