//! The workbook reader on every format offices really send, recognised by
//! content, and on the files that must be refused quickly and in Chinese:
//! FIFOs, devices, folders, encrypted files, zip bombs, a cell at
//! XFD1048576, an ODS repeating a filled cell astronomically.
//!
//! Files are written by the tests themselves (rust_xlsxwriter, zip, plain
//! text), except tests/fixtures/lo_source.* and hidden_rows.xls converted
//! once by LibreOffice and tests/fixtures/encrypted.xlsx made once with msoffcrypto-tool;
//! remake them with
//! `cargo test --test input_formats -- --ignored regenerate_format_fixtures`
//! (needs `soffice` and `msoffcrypto-tool` on the PATH).

use dudao::input::grid::{Cell, Grid, Merge, read_workbook, read_workbook_bytes};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(path: &Path) -> Vec<Grid> {
    read_workbook(path, &path.display().to_string()).unwrap_or_else(|e| panic!("应能读取：{e}"))
}

fn read_err(path: &Path) -> String {
    match read_workbook(path, "学校.xlsx") {
        Ok(g) => panic!("应报错，却读到 {} 张表", g.len()),
        Err(e) => e.to_string(),
    }
}

fn t(s: &str) -> Cell {
    Cell::Text(s.into())
}

fn n(v: f64) -> Cell {
    Cell::Number(v)
}

fn merge(first_row: u32, first_col: u32, last_row: u32, last_col: u32) -> Merge {
    Merge {
        first_row,
        first_col,
        last_row,
        last_col,
    }
}

fn sheet<'a>(grids: &'a [Grid], name: &str) -> &'a Grid {
    grids
        .iter()
        .find(|g| &*g.sheet == name)
        .unwrap_or_else(|| panic!("没有工作表“{name}”：{:?}", names(grids)))
}

fn names(grids: &[Grid]) -> Vec<String> {
    grids.iter().map(|g| g.sheet.to_string()).collect()
}

/// `dudao check` on a plan naming `file`: (exit code, stderr). Never a panic.
fn check(dir: &Path, file: &str) -> (i32, String) {
    let plan = dir.join("plan.yaml");
    std::fs::write(
        &plan,
        format!(
            "county: 测试县\nreport:\n  title: 测试县自评报告\n  issuer: 测试县人民政府教育督导委员会\n  date: 2024-05-20\nplan:\n  title: 测试县实施方案\n  issuer: 测试县人民政府教育督导委员会\n  date: 2023-07-14\ndata:\n  schools:\n    - {file}\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("check")
        .arg(&plan)
        .output()
        .expect("run dudao");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "dudao panicked:\n{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

/// A zip with the given members (name, content), deflated.
fn zip_file(path: &Path, members: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in members {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
}

/// The smallest xlsx calamine reads, with `sheet` as its one sheet's XML
/// body (inside `<sheetData>`): lets a test write what Excel-less
/// generators write, such as a formula with no `<v>`.
fn minimal_xlsx(path: &Path, sheet_data: &str) {
    zip_file(
        path,
        &[
            (
                "[Content_Types].xml",
                br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="小学" sheetId="1" r:id="rId1"/></sheets></workbook>"#.as_bytes(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#).as_bytes(),
            ),
        ],
    );
}

/// An ODS whose content.xml has `body` inside `<office:spreadsheet>` and
/// `styles` inside `<office:automatic-styles>`.
fn ods_file(path: &Path, styles: &str, body: &str) {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"><office:automatic-styles>{styles}</office:automatic-styles><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"#
    );
    zip_file(
        path,
        &[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            ("content.xml", content.as_bytes()),
        ],
    );
}

// ---------------------------------------------------------------------------
// Recognised by content
// ---------------------------------------------------------------------------

/// An xlsx renamed .xls (a common "fix" in offices) is read as xlsx.
#[test]
fn xlsx_renamed_xls_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学校.xls");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("小学").unwrap();
    ws.write(0, 0, "学校名称").unwrap();
    ws.write(0, 1, "学生数").unwrap();
    ws.write(1, 0, "城关小学").unwrap();
    ws.write(1, 1, 812).unwrap();
    wb.save(&path).unwrap();
    let grids = read(&path);
    assert_eq!(names(&grids), ["小学"]);
    assert_eq!(
        grids[0].rows,
        vec![
            vec![t("学校名称"), t("学生数")],
            vec![t("城关小学"), n(812.0)]
        ]
    );
}

/// Excel's "Unicode text" export: UTF-16LE with a BOM, tab-separated.
#[test]
fn utf16_tab_text_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学校.txt");
    let text = "学校名称\t学生数\t备注\r\n城关小学\t812\t\"含, 逗号\"\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&path, &bytes).unwrap();
    let grids = read(&path);
    assert_eq!(
        grids[0].rows,
        vec![
            vec![t("学校名称"), t("学生数"), t("备注")],
            vec![t("城关小学"), t("812"), t("含, 逗号")]
        ]
    );
    // The same text as UTF-16BE with its BOM.
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let g = read_workbook_bytes(&be, "学校.csv", "学校.csv").unwrap();
    assert_eq!(g[0].rows, grids[0].rows);
}

/// GBK csv from Chinese Excel, comma-separated.
#[test]
fn gbk_csv_is_read() {
    let (bytes, _, _) = encoding_rs::GBK.encode("学校名称,学生数\n城关小学,812\n");
    let g = read_workbook_bytes(&bytes, "学校.csv", "学校.csv").unwrap();
    assert_eq!(&*g[0].sheet, "学校");
    assert_eq!(
        g[0].rows,
        vec![
            vec![t("学校名称"), t("学生数")],
            vec![t("城关小学"), t("812")]
        ]
    );
}

/// What a web system exports as ".xls": an HTML table in GB2312 with
/// spanned headings, sloppy unclosed cells and `&nbsp;`.
#[test]
fn html_table_xls_in_gbk_is_read_with_spans() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("导出.xls");
    let html = r#"<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>导出</title></head>
<body><table border=1>
<tr><td rowspan=2>学校名称</td><td colspan=2>学生数</td>
<tr><td>小学部<td>初中部
<tr style="display: none"><td>已撤并学校</td><td>1</td><td>2</td></tr>
<tr><td>城关&nbsp;中心学校</td><td>812</td><td>403</td></tr>
</table></body></html>"#;
    let (bytes, _, _) = encoding_rs::GBK.encode(html);
    std::fs::write(&path, &bytes).unwrap();
    let grids = read(&path);
    assert_eq!(names(&grids), ["表1"]);
    let g = &grids[0];
    assert_eq!(
        g.rows,
        vec![
            vec![t("学校名称"), t("学生数")],
            vec![Cell::Empty, t("小学部"), t("初中部")],
            vec![t("已撤并学校"), t("1"), t("2")],
            vec![t("城关 中心学校"), t("812"), t("403")],
        ]
    );
    assert_eq!(g.merges, vec![merge(0, 0, 1, 0), merge(0, 1, 0, 2)]);
    assert_eq!(g.hidden_rows, vec![2]);
}

/// Excel 2003 XML (SpreadsheetML) as a web system writes it, saved as .xls:
/// indexes, merges, typed data, a formula without a result, a hidden row
/// and a hidden sheet.
#[test]
fn spreadsheetml_xls_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("导出.xls");
    std::fs::write(
        &path,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:x="urn:schemas-microsoft-com:office:excel">
 <Worksheet ss:Name="小学">
  <Table>
   <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">一、小学 &amp; 教学点</Data></Cell></Row>
   <Row ss:Index="3"><Cell><Data ss:Type="String">城关小学</Data></Cell><Cell ss:Index="3"><Data ss:Type="Number">812</Data></Cell>
    <Cell><Data ss:Type="DateTime">2024-01-01T00:00:00.000</Data></Cell></Row>
   <Row ss:Hidden="1"><Cell><Data ss:Type="Boolean">1</Data></Cell><Cell><Data ss:Type="Error">#DIV/0!</Data></Cell>
    <Cell ss:Formula="=SUM(R[-1]C)"/></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="旧表">
  <Table><Row><Cell><Data ss:Type="String">旧</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
</Workbook>"#,
    )
    .unwrap();
    let grids = read(&path);
    assert_eq!(names(&grids), ["小学", "旧表"]);
    let g = sheet(&grids, "小学");
    assert_eq!(
        g.rows,
        vec![
            vec![t("一、小学 & 教学点")],
            vec![],
            vec![
                t("城关小学"),
                Cell::Empty,
                n(812.0),
                Cell::Date("2024-01-01".into())
            ],
            vec![
                Cell::Bool(true),
                Cell::Error("#DIV/0!".into()),
                Cell::Formula("SUM(R[-1]C)".into())
            ],
        ]
    );
    assert_eq!(g.merges, vec![merge(0, 0, 0, 2)]);
    assert_eq!(g.hidden_rows, vec![3]);
    assert!(!g.hidden);
    assert!(sheet(&grids, "旧表").hidden);
}

/// A password-protected xlsx (an OLE file with an encrypted package) is
/// refused as encrypted, not described as damaged.
#[test]
fn encrypted_xlsx_is_refused_as_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("encrypted.xlsx"), dir.path().join("学校.xlsx")).unwrap();
    let e = read_err(&dir.path().join("学校.xlsx"));
    assert_eq!(
        e,
        "学校.xlsx：已加密，请先在 Excel/WPS 中取消密码后另存，再重新读取"
    );
    let (code, stderr) = check(dir.path(), "学校.xlsx");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("学校.xlsx：已加密，请先在 Excel/WPS 中取消密码"),
        "{stderr}"
    );
}

/// Files that are no table are named for what they seem to be.
#[test]
fn other_files_are_named_for_what_they_are() {
    for (bytes, name, expected) in [
        (
            &b"%PDF-1.7 ..."[..],
            "学校.xlsx",
            "这是PDF 文件，不是表格文件",
        ),
        (&b""[..], "学校.xlsx", "文件是空的（0 字节）"),
        (
            &b"\x89PNG\r\n\x1a\n\0\0"[..],
            "学校.xls",
            "这是PNG 图片，不是表格文件",
        ),
        (
            &b"<?xml version=\"1.0\"?><note>hi</note>"[..],
            "学校.xml",
            "这是 XML 文件，但不是 Excel 2003 XML 表格（SpreadsheetML）",
        ),
    ] {
        let e = read_workbook_bytes(bytes, "学校", name)
            .unwrap_err()
            .to_string();
        assert_eq!(e, format!("学校：无法作为学校数据读取：{expected}"));
    }
}

// ---------------------------------------------------------------------------
// Only regular files, bounded
// ---------------------------------------------------------------------------

/// A FIFO would block the reader forever if opened; a device or a folder
/// is no workbook. All are refused from their metadata, before opening.
#[cfg(unix)]
#[test]
fn fifo_device_and_folder_are_refused_before_open() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("管道.xlsx");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    assert_eq!(
        read_err(&fifo),
        "学校.xlsx：这是一个管道（FIFO），不是普通文件，拒绝读取"
    );
    assert_eq!(
        read_err(Path::new("/dev/null")),
        "学校.xlsx：这是一个设备文件，不是普通文件，拒绝读取"
    );
    std::fs::create_dir(dir.path().join("文件夹.xlsx")).unwrap();
    assert_eq!(
        read_err(&dir.path().join("文件夹.xlsx")),
        "学校.xlsx：这是一个文件夹，不是普通文件，拒绝读取"
    );
    let (code, stderr) = check(dir.path(), "管道.xlsx");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("管道.xlsx：这是一个管道（FIFO），不是普通文件，拒绝读取"),
        "{stderr}"
    );
}

/// A sheet member that inflates past the limit (here 300 MB of zeros, a
/// file of about 300 KB) is refused while inflating, whatever it declares.
#[test]
fn zip_bomb_member_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("炸弹.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    zip.start_file("xl/workbook.xml", opts).unwrap();
    zip.write_all(b"<workbook/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    std::io::copy(
        &mut std::io::Read::take(std::io::repeat(0), 300 << 20),
        &mut zip,
    )
    .unwrap();
    zip.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    assert_eq!(
        read_err(&path),
        "学校.xlsx：部件“xl/worksheets/sheet1.xml”解压后超过 256 MB 的上限，文件异常（可能是“压缩炸弹”），已拒绝读取"
    );
}

/// One value at XFD1048576: a 6 KB file that a dense reader would turn
/// into hundreds of GiB. Read sparsely, it is refused by the row limit,
/// naming the cell.
#[test]
fn one_cell_at_xfd1048576_is_refused_by_the_row_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学校.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("小学").unwrap();
    ws.write(0, 0, "学校名称").unwrap();
    ws.write(1_048_575, 16_383, 1).unwrap();
    wb.save(&path).unwrap();
    let e = read_err(&path);
    assert_eq!(
        e,
        "学校.xlsx，工作表“小学”，单元格 XFD1048576：第 1048576 行有内容，超过了每张工作表最多 200000 行的上限；请删去多余的内容，或把数据分成几个文件"
    );
    let (code, stderr) = check(dir.path(), "学校.xlsx");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("XFD1048576：第 1048576 行有内容"),
        "{stderr}"
    );
}

/// A far-right value in an otherwise small sheet is read sparsely: one row
/// vector, not a dense 16,384-column range for every row.
#[test]
fn far_column_costs_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学校.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("小学").unwrap();
    ws.write(0, 0, "学校名称").unwrap();
    ws.write(199_999, 16_383, "末").unwrap();
    wb.save(&path).unwrap();
    let g = read(&path);
    assert_eq!(g[0].rows.len(), 200_000);
    assert_eq!(g[0].rows[0], vec![t("学校名称")]);
    assert!(g[0].rows[1..199_999].iter().all(Vec::is_empty));
    assert_eq!(g[0].rows[199_999].len(), 16_384);
    assert_eq!(g[0].get(199_999, 16_383), &t("末"));
}

/// 1,000,000 rows of text are refused at the row limit while reading.
#[test]
fn million_row_csv_is_refused_at_the_row_limit() {
    let mut text = String::from("学校名称,学生数\n");
    for i in 0..1_000_000 {
        text.push_str(&format!("学校{i},{}\n", i % 1000));
    }
    let e = read_workbook_bytes(text.as_bytes(), "学校.csv", "学校.csv")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "学校.csv，工作表“学校”，单元格 A200001：第 200001 行有内容，超过了每张工作表最多 200000 行的上限；请删去多余的内容，或把数据分成几个文件"
    );
}

// ---------------------------------------------------------------------------
// xlsx cell values, hidden sheets and rows
// ---------------------------------------------------------------------------

/// A date in a figure column stays a date (never its serial 45,292), a
/// formula without a saved result is a formula at its own cell, and
/// booleans and errors keep their kind.
#[test]
fn xlsx_dates_formulas_booleans_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学校.xlsx");
    minimal_xlsx(
        &path,
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>城关小学</t></is></c><c r="B1"><f>SUM(C1:D1)</f></c><c r="C1" t="b"><v>1</v></c><c r="D1" t="e"><v>#DIV/0!</v></c><c r="E1"><f>1+1</f><v>2</v></c></row>"#,
    );
    let g = read(&path);
    assert_eq!(
        g[0].rows,
        vec![vec![
            t("城关小学"),
            Cell::Formula("SUM(C1:D1)".into()),
            Cell::Bool(true),
            Cell::Error("#DIV/0!".into()),
            n(2.0)
        ]]
    );

    let path = dir.path().join("日期.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("小学").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.write(0, 0, "城关小学").unwrap();
    ws.write_datetime_with_format(
        0,
        1,
        rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 1).unwrap(),
        &date,
    )
    .unwrap();
    wb.save(&path).unwrap();
    assert_eq!(
        read(&path)[0].rows,
        vec![vec![t("城关小学"), Cell::Date("2024-01-01".into())]]
    );
}

#[test]
fn xlsx_hidden_sheet_and_hidden_or_filtered_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学校.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("小学").unwrap();
    for (r, name) in ["学校名称", "城关小学", "河西小学", "东关小学"]
        .iter()
        .enumerate()
    {
        ws.write(r as u32, 0, *name).unwrap();
    }
    ws.set_row_hidden(2).unwrap();
    ws.autofilter(0, 0, 3, 0).unwrap();
    let keep = rust_xlsxwriter::FilterCondition::new()
        .add_list_filter("城关小学")
        .add_list_filter("河西小学");
    ws.filter_column(0, &keep).unwrap();
    wb.add_worksheet()
        .set_name("旧表")
        .unwrap()
        .set_hidden(true);
    wb.worksheet_from_name("旧表")
        .unwrap()
        .write(0, 0, "旧")
        .unwrap();
    wb.save(&path).unwrap();
    let grids = read(&path);
    let g = sheet(&grids, "小学");
    assert!(!g.hidden);
    // Row 3 hidden by hand; row 4 filtered out (rust_xlsxwriter hides the
    // rows its filter excludes, as Excel does).
    assert_eq!(g.hidden_rows, vec![2, 3]);
    assert!(sheet(&grids, "旧表").hidden);
}

// ---------------------------------------------------------------------------
// ODS, read by dudao's own streaming reader
// ---------------------------------------------------------------------------

#[test]
fn ods_values_merges_hidden_rows_and_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学校.ods");
    ods_file(
        &path,
        r#"<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style><style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>"#,
        r#"<table:table table:name="小学" table:style-name="ta1">
<table:table-row><table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>学校<text:s text:c="2"/>名称</text:p><text:p>（全称）</text:p><office:annotation><text:p>批注</text:p></office:annotation></table:table-cell><table:covered-table-cell/><table:table-cell office:value-type="date" office:date-value="2024-01-01"><text:p>2024年1月1日</text:p></table:table-cell></table:table-row>
<table:table-row table:visibility="filter"><table:table-cell office:value-type="float" office:value="812"><text:p>812</text:p></table:table-cell><table:table-cell table:formula="of:=[.A2]*2"/><table:table-cell office:value-type="boolean" office:boolean-value="true"/><table:table-cell office:value-type="percentage" office:value="0.5"/></table:table-row>
<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
<table:table-row table:visibility="collapse" table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table>
<table:table table:name="旧表" table:style-name="ta2"><table:table-row><table:table-cell office:value-type="string"><text:p>旧</text:p></table:table-cell></table:table-row></table:table>"#,
    );
    let grids = read(&path);
    assert_eq!(names(&grids), ["小学", "旧表"]);
    let g = sheet(&grids, "小学");
    assert_eq!(
        g.rows,
        vec![
            vec![
                t("学校  名称\n（全称）"),
                Cell::Empty,
                Cell::Date("2024-01-01".into())
            ],
            vec![
                n(812.0),
                Cell::Formula("[.A2]*2".into()),
                Cell::Bool(true),
                n(0.5)
            ],
        ]
    );
    assert_eq!(g.merges, vec![merge(0, 0, 0, 1)]);
    assert_eq!(g.hidden_rows, vec![1]);
    assert!(!g.hidden);
    assert!(sheet(&grids, "旧表").hidden);
}

/// A filled cell repeated 10^12 times, or a filled row repeated a million
/// times, is refused before a single copy is made.
#[test]
fn ods_astronomical_repeats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学校.ods");
    ods_file(
        &path,
        "",
        r#"<table:table table:name="小学"><table:table-row><table:table-cell table:number-columns-repeated="1000000000000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
    );
    assert_eq!(
        read_err(&path),
        "学校.xlsx，工作表“小学”，单元格 A1：超过了每张工作表最多 16384 列的上限"
    );
    ods_file(
        &path,
        "",
        r#"<table:table table:name="小学"><table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
    );
    assert_eq!(
        read_err(&path),
        "学校.xlsx，工作表“小学”，单元格 A1000000：第 1000000 行有内容，超过了每张工作表最多 200000 行的上限；请删去多余的内容，或把数据分成几个文件"
    );
    // Within the rows, but 10,000 columns × 1,000 rows is over the cells.
    ods_file(
        &path,
        "",
        r#"<table:table table:name="小学"><table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="10000" office:value-type="float" office:value="1"/></table:table-row></table:table>"#,
    );
    assert_eq!(
        read_err(&path),
        "学校.xlsx，工作表“小学”，单元格 A1：工作簿的单元格超过了最多 5000000 个的上限；请删去多余的内容，或把数据分成几个文件"
    );
}

// ---------------------------------------------------------------------------
// LibreOffice-written files
// ---------------------------------------------------------------------------

/// The source every LibreOffice fixture is converted from: a 小学 sheet
/// with a date, a merged 合计 and a hidden row, and a hidden 旧表 sheet.
fn write_lo_source(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("小学").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.write(0, 0, "学校名称").unwrap();
    ws.write(0, 1, "学生数").unwrap();
    ws.write(0, 2, "建校日期").unwrap();
    ws.write(1, 0, "城关小学").unwrap();
    ws.write(1, 1, 812).unwrap();
    ws.write_datetime_with_format(
        1,
        2,
        rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 1).unwrap(),
        &date,
    )
    .unwrap();
    ws.write(2, 0, "河西小学").unwrap();
    ws.write(2, 1, 403).unwrap();
    ws.set_row_hidden(2).unwrap();
    ws.merge_range(3, 0, 3, 1, "合计", &rust_xlsxwriter::Format::new())
        .unwrap();
    let old = wb.add_worksheet().set_name("旧表").unwrap();
    old.write(0, 0, "旧").unwrap();
    old.set_hidden(true);
    wb.save(path).unwrap();
}

#[test]
#[ignore = "remakes tests/fixtures/lo_source.*, hidden_rows.xls and encrypted.xlsx; needs soffice and msoffcrypto-tool"]
fn regenerate_format_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("lo_source.xlsx");
    write_lo_source(&src);
    for (to, ext) in [("xls", "xls"), ("ods", "ods"), ("html", "html")] {
        let status = Command::new("soffice")
            .args(["--headless", "--convert-to", to, "--outdir"])
            .arg(dir.path())
            .arg(&src)
            .status()
            .expect("soffice");
        assert!(status.success());
        let name = format!("lo_source.{ext}");
        std::fs::copy(dir.path().join(&name), fixture(&name)).unwrap();
    }
    make_hidden_rows_xls(dir.path());
    // msoffcrypto-tool -e -p 1234 plain.xlsx encrypted.xlsx
    let plain = dir.path().join("plain.xlsx");
    write_lo_source(&plain);
    let status = Command::new("msoffcrypto-tool")
        .args(["-e", "-p", "1234"])
        .arg(&plain)
        .arg(fixture("encrypted.xlsx"))
        .status()
        .expect("msoffcrypto-tool (pip install msoffcrypto-tool)");
    assert!(status.success());
}

fn lo_expected_rows() -> Vec<Vec<Cell>> {
    vec![
        vec![t("学校名称"), t("学生数"), t("建校日期")],
        vec![t("城关小学"), n(812.0), Cell::Date("2024-01-01".into())],
        vec![t("河西小学"), n(403.0)],
        vec![t("合计")],
    ]
}

#[test]
fn libreoffice_xls_and_ods() {
    // (This LibreOffice cannot export Excel 2003 XML: its filter fails to
    // store; SpreadsheetML is covered by a hand-written file above.)
    for ext in ["xls", "ods"] {
        let grids = read(&fixture(&format!("lo_source.{ext}")));
        assert_eq!(names(&grids), ["小学", "旧表"], "{ext}");
        let g = sheet(&grids, "小学");
        assert_eq!(g.rows, lo_expected_rows(), "{ext}");
        assert_eq!(g.merges, vec![merge(3, 0, 3, 1)], "{ext}");
        assert!(!g.hidden, "{ext}");
        assert!(sheet(&grids, "旧表").hidden, "{ext}");
        assert_eq!(g.hidden_rows, vec![2], "{ext}");
    }
}

/// LibreOffice's HTML export, read as a ".xls" a web system would send:
/// every value is text, as the page shows it (LibreOffice leaves the hidden
/// row and the hidden sheet out of its HTML).
#[test]
fn libreoffice_html_as_xls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("导出.xls");
    std::fs::copy(fixture("lo_source.html"), &path).unwrap();
    let grids = read(&path);
    let g = &grids[0];
    assert_eq!(g.rows[0], vec![t("学校名称"), t("学生数"), t("建校日期")]);
    assert_eq!(g.rows[1], vec![t("城关小学"), t("812"), t("2024-01-01")]);
    assert_eq!(g.rows[2], vec![t("合计")]);
    assert_eq!(g.rows.len(), 3);
    assert_eq!(g.merges, vec![merge(2, 0, 2, 1)]);
    assert_eq!(names(&grids), ["表1"]);
}

// ---------------------------------------------------------------------------
// For scripts/bench-reader.sh (not tests: they time nothing and assert only
// that the work was done)
// ---------------------------------------------------------------------------

/// `DUDAO_BENCH_ROWS=N DUDAO_BENCH_OUT=DIR`: writes DIR/rows-N.xlsx, the
/// data dictionary's layout with N synthetic school-学段 rows (as
/// `dudao init --sample-schools N` writes), and DIR/rows-N.csv with the same
/// columns: the xlsx's rows (up to 100,000) repeated to N rows, each school
/// name numbered so that none repeats.
#[test]
#[ignore = "benchmark input generator for scripts/bench-reader.sh"]
fn bench_write_rows() {
    let (Ok(n), Ok(out)) = (
        std::env::var("DUDAO_BENCH_ROWS"),
        std::env::var("DUDAO_BENCH_OUT"),
    ) else {
        eprintln!("set DUDAO_BENCH_ROWS and DUDAO_BENCH_OUT");
        return;
    };
    let n: usize = n.parse().unwrap();
    let out = Path::new(&out);
    let xlsx = out.join(format!("rows-{n}.xlsx"));
    dudao::synth::write_clean_xlsx(&xlsx, &dudao::synth::county(n)).unwrap();
    let sample = out.join("sample.xlsx");
    dudao::synth::write_clean_xlsx(&sample, &dudao::synth::county(n.min(100_000))).unwrap();
    let grid = read(&sample).remove(0);
    let name_col = grid.rows[0]
        .iter()
        .position(|c| c.display() == "学校名称")
        .unwrap();
    let line = |cells: &[Cell], suffix: &str| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let v = c.display().replace(',', "，");
                if i == name_col { v + suffix } else { v }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut csv =
        std::io::BufWriter::new(std::fs::File::create(out.join(format!("rows-{n}.csv"))).unwrap());
    writeln!(csv, "{}", line(&grid.rows[0], "")).unwrap();
    let body = &grid.rows[1..];
    for i in 0..n {
        let round = i / body.len();
        let suffix = if round == 0 {
            String::new()
        } else {
            format!("{round}")
        };
        writeln!(csv, "{}", line(&body[i % body.len()], &suffix)).unwrap();
    }
    csv.flush().unwrap();
}

/// `DUDAO_BENCH_FILE=PATH`: `read_workbook` alone on PATH; prints the rows
/// read, or the refusal.
#[test]
#[ignore = "benchmark for scripts/bench-reader.sh"]
fn bench_read_workbook() {
    let Ok(path) = std::env::var("DUDAO_BENCH_FILE") else {
        eprintln!("set DUDAO_BENCH_FILE");
        return;
    };
    match read_workbook(Path::new(&path), &path) {
        Ok(grids) => println!(
            "BENCH rows={}",
            grids.iter().map(|g| g.rows.len()).sum::<usize>()
        ),
        Err(e) => println!("BENCH refused: {e}"),
    }
}

// ---------------------------------------------------------------------------
// Hidden rows of BIFF .xls, which calamine does not expose
// ---------------------------------------------------------------------------

/// The source of tests/fixtures/hidden_rows.xls: a hidden 旧表 sheet first
/// (with a hidden row of its own, so that rows are matched to the right
/// sheet), then a 小学 table whose row 3 is hidden by hand and row 5
/// filtered out.
fn write_hidden_rows_source(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let old = wb.add_worksheet().set_name("旧表").unwrap();
    for r in 0..3 {
        old.write(r, 0, "旧").unwrap();
    }
    old.set_row_hidden(1).unwrap();
    old.set_hidden(true);
    let ws = wb.add_worksheet().set_name("小学").unwrap();
    let rows: [[&str; 6]; 5] = [
        [
            "学校名称",
            "学校类型",
            "学生数",
            "班级数",
            "专任教师数",
            "教学仪器设备值（万元）",
        ],
        ["城关小学", "小学", "1200", "28", "70", "300"],
        ["河西小学", "小学", "600", "14", "36", "150"],
        ["东关小学", "小学", "500", "12", "30", "120"],
        ["南关小学", "小学", "400", "10", "24", "100"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(x) => ws.write(r as u32, c as u16, x),
                Err(_) => ws.write(r as u32, c as u16, *v),
            }
            .unwrap();
        }
    }
    ws.set_row_hidden(2).unwrap();
    ws.autofilter(0, 0, 4, 5).unwrap();
    let keep = rust_xlsxwriter::FilterCondition::new()
        .add_list_filter("城关小学")
        .add_list_filter("河西小学")
        .add_list_filter("东关小学");
    ws.filter_column(0, &keep).unwrap();
    ws.set_active(true);
    wb.save(path).unwrap();
}

/// `soffice --headless --convert-to xls --outdir DIR hidden_rows.xlsx`
fn make_hidden_rows_xls(dir: &Path) {
    let src = dir.join("hidden_rows.xlsx");
    write_hidden_rows_source(&src);
    let status = Command::new("soffice")
        .args(["--headless", "--convert-to", "xls", "--outdir"])
        .arg(dir)
        .arg(&src)
        .status()
        .expect("soffice");
    assert!(status.success());
    std::fs::copy(dir.join("hidden_rows.xls"), fixture("hidden_rows.xls")).unwrap();
}

/// An .xls written by LibreOffice: hidden and filtered-out rows are read
/// from its ROW records, each on its own sheet, and `check` reports them
/// (and the hidden sheet, not read).
#[test]
fn xls_hidden_rows_are_read_and_reported() {
    let grids = read(&fixture("hidden_rows.xls"));
    assert_eq!(names(&grids), ["旧表", "小学"]);
    let old = sheet(&grids, "旧表");
    assert!(old.hidden);
    assert_eq!(old.hidden_rows, vec![1]);
    let g = sheet(&grids, "小学");
    assert!(!g.hidden);
    assert_eq!(g.hidden_rows, vec![2, 4]);
    assert_eq!(g.rows.len(), 5);
    assert_eq!(g.rows[4][0], t("南关小学"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("学校.xls");
    std::fs::copy(fixture("hidden_rows.xls"), &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let plan = dir.path().join("plan.yaml");
    std::fs::write(
        &plan,
        "county: 测试县\nreport:\n  title: 测试县自评报告\n  issuer: 测试县人民政府教育督导委员会\n  date: 2024-05-20\nplan:\n  title: 测试县实施方案\n  issuer: 测试县人民政府教育督导委员会\n  date: 2023-07-14\ndata:\n  schools:\n    - 学校.xls\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("check")
        .arg(&plan)
        .output()
        .expect("run dudao");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for needle in [
        "学校 4 所",
        "学校.xls，工作表“小学”：第 3、5 行是隐藏或被筛选掉的行，已照常读取；如这些行不应计入，请在表中删去",
        "工作表“旧表”是隐藏的，未读取",
    ] {
        assert!(
            stdout.contains(needle),
            "check 的输出中没有“{needle}”：\n{stdout}"
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["plan.yaml", "学校.xls"], "check 不应写出文件");
}
