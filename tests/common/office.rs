//! LibreOffice as an independent spreadsheet engine, and the workbook
//! edits the recalculation tests make: shared by the county workbook's
//! tests and the review packet's.
#![allow(dead_code)]

use calamine::{Data, Range};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

/// Whether `soffice` runs here; says so when it does not.
pub fn has_soffice() -> bool {
    let ok = Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("soffice (LibreOffice) not found: the recalculation check is skipped");
    }
    ok
}

/// `bytes` opened and saved again by LibreOffice, every formula recomputed
/// on load (its own profile in `dir`, recalculation set to always).
pub fn recalculated(bytes: &[u8], dir: &Path) -> Vec<u8> {
    let profile = dir.join("lo-profile");
    std::fs::create_dir_all(profile.join("user")).unwrap();
    // 0 = always recalculate on load, for xlsx (OOXML) and ODF files.
    std::fs::write(
        profile.join("user/registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
    let src = dir.join("in");
    let out = dir.join("out");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let input = src.join("book.xlsx");
    std::fs::write(&input, bytes).unwrap();
    let o = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML"])
        .arg("--outdir")
        .arg(&out)
        .arg(&input)
        .output()
        .expect("soffice runs");
    let result = out.join("book.xlsx");
    assert!(
        result.exists(),
        "LibreOffice wrote nothing: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read(result).unwrap()
}

/// The workbook with every sheet's XML passed through `edit`.
pub fn edited(bytes: &[u8], edit: impl Fn(&str, String) -> String) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zout = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for k in 0..zin.len() {
            let mut f = zin.by_index(k).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if name.starts_with("xl/worksheets/sheet") {
                data = edit(&name, String::from_utf8(data).unwrap()).into_bytes();
            }
            zout.start_file(name, opts).unwrap();
            zout.write_all(&data).unwrap();
        }
        zout.finish().unwrap();
    }
    buf.into_inner()
}

/// A sheet's XML with every formula's cached result replaced by 9999, so
/// only a real recalculation can give the right figures.
pub fn poisoned(xml: String) -> String {
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(k) = rest.find("</f><v>") {
        let start = k + "</f><v>".len();
        let end = start + rest[start..].find("</v>").unwrap();
        out.push_str(&rest[..start]);
        out.push_str("9999");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The workbook with the number in `cell` (e.g. `G12`) of the sheet part
/// `part` (`xl/worksheets/sheet3.xml`) changed from `old` to `new`: one
/// input cell edited as a reviewer would.
pub fn with_number(bytes: &[u8], part: &str, cell: &str, old: f64, new: f64) -> Vec<u8> {
    let tag = format!("<c r=\"{cell}\"");
    edited(bytes, |name, xml| {
        if name != part {
            return xml;
        }
        let at = xml.find(&tag).expect("the input cell is in the sheet XML");
        let v = at + xml[at..].find("<v>").unwrap() + 3;
        let end = v + xml[v..].find("</v>").unwrap();
        assert_eq!(xml[v..end].parse::<f64>().unwrap(), old, "{cell}");
        format!("{}{new}{}", &xml[..v], &xml[end..])
    })
}

/// A cell's text; empty for anything else.
pub fn text_at(r: &Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// A cell's number, if it holds one.
pub fn number_at(r: &Range<Data>, row: u32, col: u32) -> Option<f64> {
    match r.get_value((row, col)) {
        Some(Data::Float(v)) => Some(*v),
        Some(Data::Int(v)) => Some(*v as f64),
        _ => None,
    }
}

/// The column of a school sheet whose header (row 2, or row 1 for merged
/// ones) reads `text`, from column `after` on.
pub fn column_headed(r: &Range<Data>, text: &str, after: u32) -> u32 {
    let (_, c1) = r.end().unwrap();
    (after..=c1)
        .find(|c| text_at(r, 2, *c) == text || text_at(r, 1, *c) == text)
        .unwrap_or_else(|| panic!("no column {text}"))
}

/// A zero-based column's letters: 0 → A, 26 → AA.
pub fn letters(mut c: u32) -> String {
    let mut s = String::new();
    c += 1;
    while c > 0 {
        let k = (c - 1) % 26;
        s.insert(0, (b'A' + k as u8) as char);
        c = (c - 1) / 26;
    }
    s
}
