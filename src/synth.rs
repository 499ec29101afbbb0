//! A deterministic synthetic county shaped like 泗县: mostly small rural
//! 小学, large 城区 schools, 初中, a few 九年一贯制学校 (小学部 + 初中部 sharing
//! their buildings), one 完全中学 with a 高中部, a few 教学点 and one 民办
//! school. Most schools meet the national standards; a handful fall short on
//! one indicator and one or two fail the per-school rule, so every part of
//! the report has something to show.
//!
//! The same row count always gives the same schools and the same workbook
//! bytes: `dudao init --sample-schools N`, the example workbook in
//! `examples/sixian/` and the reader's tests are all made from here.
//!
//! Two workbook layouts: [`write_clean_xlsx`], the data dictionary's own
//! headers, one row per school-学段; and [`write_export_xlsx`], the messy
//! form of a statistics-office export (title and 填报单位 rows, a two-row
//! header with merged group headings, numbers stored as text, 小计/合计 rows,
//! a footer, shared resources of 一贯制 schools in vertically merged cells).
//!
//! One file past 800 lines: the county's shape, both layouts and last
//! year's variant draw from one seeded random stream in one order; split
//! across files, a change in one would silently change every other's bytes.

use crate::error::Error;
use crate::model::{County, Locality, Measure, Ownership, RowPart, SchoolType, Section};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Mixed with the row count into the generator's seed.
const SEED: u64 = 0x5349_5849_414E_2023;

/// One school of the synthetic county.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSchool {
    pub name: String,
    pub school_type: SchoolType,
    pub ownership: Ownership,
    pub locality: Locality,
    pub township: String,
    /// One row per 部, in workbook order.
    pub rows: Vec<SynthRow>,
    /// Shared resources reported only for the whole school (一贯制 schools
    /// and the 完全中学), in canonical units.
    pub whole: BTreeMap<Measure, f64>,
}

/// One 部 of a school: its figures in canonical units (人, 元, 平方米).
#[derive(Debug, Clone, PartialEq)]
pub struct SynthRow {
    pub part: RowPart,
    pub values: BTreeMap<Measure, f64>,
}

impl SynthSchool {
    pub fn row(&self, part: RowPart) -> Option<&SynthRow> {
        self.rows.iter().find(|r| r.part == part)
    }
}

/// Rows of the compulsory 学段 (小学/初中 部), the unit `county` counts.
pub fn section_rows(schools: &[SynthSchool]) -> usize {
    schools
        .iter()
        .flat_map(|s| &s.rows)
        .filter(|r| matches!(r.part, RowPart::Section(_)))
        .count()
}

// ---------------------------------------------------------------------------
// The county
// ---------------------------------------------------------------------------

const TOWNS: &[(&str, Locality)] = &[
    ("泗城镇", Locality::Urban),
    ("泗县经济开发区", Locality::Urban),
    ("墩集镇", Locality::Town),
    ("大庄镇", Locality::Town),
    ("草沟镇", Locality::Town),
    ("长沟镇", Locality::Town),
    ("黄圩镇", Locality::Town),
    ("大路口镇", Locality::Town),
    ("山头镇", Locality::Town),
    ("刘圩镇", Locality::Town),
    ("丁湖镇", Locality::Town),
    ("屏山镇", Locality::Town),
    ("草庙镇", Locality::Town),
    ("瓦坊镇", Locality::Town),
    ("大杨镇", Locality::Town),
    ("黑塔镇", Locality::Town),
];

/// The first character of village names and their endings.
const VILLAGE_HEADS: &[&str] = &[
    "朱", "孙", "王", "李", "张", "陈", "杨", "赵", "刘", "马", "胡", "高", "徐", "周", "吴", "郑",
    "黄", "韩", "曹", "许", "邓", "彭", "蒋", "沈", "梁", "宋", "唐", "魏", "谢", "余", "邵", "姚",
    "石", "金", "鲁", "董", "薛", "叶", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜", "范",
    "方", "邹", "孟", "秦", "白", "江", "尹", "常", "武", "乔", "贺", "龚", "前", "后", "东", "西",
    "南", "北", "新", "双", "三", "古",
];
const VILLAGE_TAILS: &[&str] = &[
    "庄", "集", "圩", "湖", "楼", "桥", "湾", "庙", "店", "岗", "营", "园", "山", "沟", "塘",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Complete,
    Junior,
    NineYear,
    /// 城区 or 中心 小学 (large) vs village 小学
    Primary,
    TeachingPoint,
    Private,
}

/// A school before its figures are drawn.
struct Plan {
    kind: Kind,
    town: usize,
    /// 城区 school, or the town's 中心 school: larger.
    central: bool,
}

/// Indicator overrides that make a row fall short: (indicator, factor of
/// the standard).
type Shortfalls = Vec<(Ind, f64)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ind {
    L4,
    L5,
    L6,
}

/// How a county departs from the 泗县-like default, so that several
/// synthetic counties (`dudao init --sample-counties`) differ in the ways
/// reviewers meet: `Shape::default()` is the county [`county`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Mixed into the generator's seed: another county of the same size.
    pub seed: u64,
    /// The one or two schools failing the per-school rule (the default).
    /// Off: every school passes it.
    pub failing_schools: bool,
    /// 城区小学 with five times the equipment of the rest: the county's
    /// 小学 生均教学仪器设备值 CV goes over its limit.
    pub rich_urban: bool,
    /// The school-level faults the default county shows: one 小学 with
    /// 大班额, one short of a 音乐专用教室, one 初中 teacher uncertified (G3,
    /// G5, G12 not met). Off: the county meets them.
    pub item_faults: bool,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            seed: 0,
            failing_schools: true,
            rich_urban: false,
            item_faults: true,
        }
    }
}

/// About `n_rows` school-学段 rows (小学部/初中部; a 完全中学's 高中部 row
/// comes on top). Same `n_rows`, same schools.
pub fn county(n_rows: usize) -> Vec<SynthSchool> {
    county_shaped(n_rows, &Shape::default())
}

/// [`county`] with a [`Shape`]: same `n_rows` and shape, same schools.
pub fn county_shaped(n_rows: usize, shape: &Shape) -> Vec<SynthSchool> {
    if n_rows == 0 {
        return Vec::new();
    }
    let salt = shape.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut rng = ChaCha8Rng::seed_from_u64(SEED.wrapping_add(n_rows as u64).wrapping_add(salt));
    let n = n_rows;
    let complete = usize::from(n >= 12);
    let private = usize::from(n >= 8);
    let nine = if n >= 50 { n / 25 } else { usize::from(n >= 4) };
    let points = if n >= 10 { (n / 30).max(1) } else { 0 };
    let mut junior = if n >= 2 { (n * 14 / 100).max(1) } else { 0 };
    let fixed = complete + private + 2 * nine + points;
    while fixed + junior >= n && junior > 0 {
        junior -= 1;
    }
    let primary = n - fixed - junior;

    // Where each school goes. 泗城镇 and the 开发区 take the 城区 schools;
    // the towns share the rest in turn.
    let rural: Vec<usize> = (2..TOWNS.len()).collect();
    let mut plans: Vec<Plan> = Vec::new();
    let urban_primary = if primary >= 3 {
        (primary / 10).clamp(1, 20)
    } else {
        0
    };
    let urban_junior = if junior >= 3 {
        (junior / 7).clamp(1, 6)
    } else {
        0
    };
    for i in 0..urban_primary {
        let town = if i % 4 == 3 { 1 } else { 0 };
        plans.push(Plan {
            kind: Kind::Primary,
            town,
            central: true,
        });
    }
    for i in 0..urban_junior {
        let town = if i == 2 { 1 } else { 0 };
        plans.push(Plan {
            kind: Kind::Junior,
            town,
            central: true,
        });
    }
    if complete > 0 {
        plans.push(Plan {
            kind: Kind::Complete,
            town: 0,
            central: true,
        });
    }
    if private > 0 {
        plans.push(Plan {
            kind: Kind::Private,
            town: 0,
            central: true,
        });
    }
    let mut seen_primary = BTreeSet::new();
    let mut seen_junior = BTreeSet::new();
    for i in 0..nine {
        plans.push(Plan {
            kind: Kind::NineYear,
            town: rural[(i * 3) % rural.len()],
            central: false,
        });
    }
    for i in 0..junior - urban_junior {
        let town = rural[i % rural.len()];
        let central = seen_junior.insert(town);
        plans.push(Plan {
            kind: Kind::Junior,
            town,
            central,
        });
    }
    for i in 0..primary - urban_primary {
        let town = rural[i % rural.len()];
        let central = seen_primary.insert(town);
        plans.push(Plan {
            kind: Kind::Primary,
            town,
            central,
        });
    }
    for i in 0..points {
        plans.push(Plan {
            kind: Kind::TeachingPoint,
            town: rural[(i * 5 + 1) % rural.len()],
            central: false,
        });
    }
    // Statistics order: by township, then 中学 before 小学, 中心 first.
    plans.sort_by_key(|p| (p.town, p.kind, !p.central));

    // Rows that fall short: plain public 小学/初中 rows only.
    let eligible: Vec<usize> = plans
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, Kind::Primary | Kind::Junior))
        .map(|(i, _)| i)
        .collect();
    let mut picks = eligible.clone();
    // A deterministic shuffle.
    for i in (1..picks.len()).rev() {
        let j = rng.random_range(0..=i);
        picks.swap(i, j);
    }
    let mut short: BTreeMap<usize, Shortfalls> = BTreeMap::new();
    let n_fail = if !shape.failing_schools {
        0
    } else if n >= 20 {
        2
    } else {
        usize::from(n >= 6)
    };
    let n_weak = if n >= 10 { (n / 30).max(1) } else { 0 };
    let mut picks = picks.into_iter();
    for k in 0..n_fail {
        let Some(i) = picks.next() else { break };
        let s = if k == 0 {
            // One indicator under 85% of the standard.
            let ind = if rng.random_bool(0.5) {
                Ind::L5
            } else {
                Ind::L4
            };
            vec![(ind, rng.random_range(0.70..0.80))]
        } else {
            // Two indicators short: only 5 of 7 met.
            vec![
                (Ind::L5, rng.random_range(0.88..0.96)),
                (Ind::L6, rng.random_range(0.88..0.96)),
            ]
        };
        short.insert(i, s);
    }
    for _ in 0..n_weak {
        let Some(i) = picks.next() else { break };
        let ind = [Ind::L4, Ind::L5, Ind::L6][rng.random_range(0..3)];
        short.insert(i, vec![(ind, rng.random_range(0.88..0.97))]);
    }

    // Names, unique.
    let mut names = Names::default();
    let mut out = Vec::new();
    let faults = shape.item_faults;
    let big_class = plans
        .iter()
        .position(|p| p.kind == Kind::Primary)
        .filter(|_| faults);
    let few_music_rooms = plans
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == Kind::Primary && p.central)
        .map(|(i, _)| i)
        .nth(1)
        .filter(|_| faults);
    let uncertified = plans
        .iter()
        .rposition(|p| p.kind == Kind::Junior)
        .filter(|_| faults);
    for (i, p) in plans.iter().enumerate() {
        let name = names.name(p, &mut rng);
        let (town, town_loc) = TOWNS[p.town];
        let locality = match (town_loc, p.central) {
            (Locality::Urban, _) => Locality::Urban,
            (_, true) => Locality::Town,
            _ => Locality::Rural,
        };
        let none = Vec::new();
        let opts = RowOpts {
            big_class: big_class == Some(i),
            uncertified: uncertified == Some(i),
            short: short.get(&i).unwrap_or(&none),
        };
        let mut school = match p.kind {
            Kind::Primary | Kind::Private => {
                let students = if p.town <= 1 && p.central {
                    rng.random_range(1100..=1990)
                } else if p.kind == Kind::Private {
                    rng.random_range(700..=1200)
                } else if p.central {
                    rng.random_range(600..=1300)
                } else {
                    rng.random_range(120..=520)
                };
                single(&mut rng, Section::Primary, students as f64, locality, &opts)
            }
            Kind::TeachingPoint => {
                let students = rng.random_range(12..=60) as f64;
                single(&mut rng, Section::Primary, students, locality, &opts)
            }
            Kind::Junior => {
                let students = if p.town <= 1 {
                    rng.random_range(1200..=1950)
                } else if p.central {
                    rng.random_range(600..=1300)
                } else {
                    rng.random_range(300..=800)
                };
                single(&mut rng, Section::Junior, students as f64, locality, &opts)
            }
            Kind::NineYear => {
                let pp = rng.random_range(300..=850) as f64;
                let pj = rng.random_range(250..=700) as f64;
                let a = section(&mut rng, Section::Primary, pp, locality, &opts);
                let b = section(&mut rng, Section::Junior, pj, locality, &opts);
                let weighted = pp + 1.1 * pj;
                let classes = a[&Measure::Classes] + b[&Measure::Classes];
                let whole = shared(
                    &mut rng,
                    weighted,
                    &[(Section::Primary, 1.0), (Section::Junior, 1.0 / 1.1)],
                    pj + pp,
                    classes,
                    &[],
                    false,
                );
                SynthSchool::new(
                    vec![
                        (RowPart::Section(Section::Primary), a),
                        (RowPart::Section(Section::Junior), b),
                    ],
                    whole,
                )
            }
            Kind::Complete => {
                let pj = rng.random_range(1200..=1800) as f64;
                let ph = rng.random_range(1500..=2400) as f64;
                let b = section(&mut rng, Section::Junior, pj, locality, &opts);
                let hc = (ph / rng.random_range(48.0..54.0)).ceil();
                let high = BTreeMap::from([(Measure::Students, ph), (Measure::Classes, hc)]);
                let weighted = pj + 1.2 * ph;
                let classes = b[&Measure::Classes] + hc;
                let whole = shared(
                    &mut rng,
                    weighted,
                    &[(Section::Junior, 1.0)],
                    pj + ph,
                    classes,
                    &[],
                    false,
                );
                SynthSchool::new(
                    vec![
                        (RowPart::Section(Section::Junior), b),
                        (RowPart::HighSchool, high),
                    ],
                    whole,
                )
            }
        };
        if few_music_rooms == Some(i)
            && let Some(row) = school.rows.first_mut()
            && row.values[&Measure::MusicRooms] >= 2.0
        {
            let per = row.values[&Measure::MusicRoomArea] / row.values[&Measure::MusicRooms];
            let rooms = row.values[&Measure::MusicRooms] - 1.0;
            row.values.insert(Measure::MusicRooms, rooms);
            row.values
                .insert(Measure::MusicRoomArea, round1(per * rooms));
        }
        school.name = name;
        school.school_type = match p.kind {
            Kind::Primary | Kind::Private => SchoolType::Primary,
            Kind::TeachingPoint => SchoolType::TeachingPoint,
            Kind::Junior => SchoolType::Junior,
            Kind::NineYear => SchoolType::NineYear,
            Kind::Complete => SchoolType::Complete,
        };
        school.ownership = if p.kind == Kind::Private {
            Ownership::Private
        } else {
            Ownership::Public
        };
        school.locality = locality;
        school.township = town.to_string();
        if shape.rich_urban && p.kind == Kind::Primary && locality == Locality::Urban {
            for row in &mut school.rows {
                if let Some(v) = row.values.get_mut(&Measure::EquipmentValue) {
                    *v *= 5.0;
                }
            }
        }
        out.push(school);
    }
    out
}

impl SynthSchool {
    fn new(rows: Vec<(RowPart, BTreeMap<Measure, f64>)>, whole: BTreeMap<Measure, f64>) -> Self {
        SynthSchool {
            name: String::new(),
            school_type: SchoolType::Primary,
            ownership: Ownership::Public,
            locality: Locality::Rural,
            township: String::new(),
            rows: rows
                .into_iter()
                .map(|(part, values)| SynthRow { part, values })
                .collect(),
            whole,
        }
    }
}

struct RowOpts<'a> {
    /// Average class over 45 (a 小学 with 大班额).
    big_class: bool,
    /// One 专任教师 without a certificate.
    uncertified: bool,
    short: &'a [(Ind, f64)],
}

fn standard(i: Ind, s: Section) -> f64 {
    match (i, s) {
        (Ind::L4, Section::Primary) => 4.5,
        (Ind::L4, Section::Junior) => 5.8,
        (Ind::L5, Section::Primary) => 7.5,
        (Ind::L5, Section::Junior) => 10.2,
        (Ind::L6, Section::Primary) => 2000.0,
        (Ind::L6, Section::Junior) => 2500.0,
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).ceil() / 10.0
}

/// A one-row school: its 部 figures plus its own resources.
fn single(
    rng: &mut ChaCha8Rng,
    s: Section,
    students: f64,
    loc: Locality,
    o: &RowOpts,
) -> SynthSchool {
    let mut values = section(rng, s, students, loc, o);
    let classes = values[&Measure::Classes];
    values.extend(shared(
        rng,
        students,
        &[(s, 1.0)],
        students,
        classes,
        o.short,
        loc == Locality::Urban,
    ));
    let part = RowPart::Section(s);
    SynthSchool::new(vec![(part, values)], BTreeMap::new())
}

/// Students, classes and teachers of one 学段 (never apportioned).
fn section(
    rng: &mut ChaCha8Rng,
    s: Section,
    p: f64,
    loc: Locality,
    o: &RowOpts,
) -> BTreeMap<Measure, f64> {
    let primary = s == Section::Primary;
    let avg = if o.big_class {
        rng.random_range(46.0..47.5)
    } else if p < 80.0 {
        rng.random_range(12.0..25.0)
    } else {
        match (loc, primary) {
            (Locality::Urban, true) => rng.random_range(41.0..44.5),
            (Locality::Urban, false) => rng.random_range(44.0..48.5),
            (Locality::Town, _) => rng.random_range(37.0..44.0),
            (Locality::Rural, _) => rng.random_range(33.0..41.0),
        }
    };
    let classes = (p / avg).ceil().max(1.0);
    let real_avg = (p / classes).ceil();
    let cap = if primary { 45.0 } else { 50.0 };
    let largest = if o.big_class {
        52.0
    } else {
        (real_avg + rng.random_range(1.0..5.0))
            .floor()
            .min(cap)
            .max(real_avg)
    };
    let per_teacher = if primary {
        rng.random_range(15.5..18.5)
    } else {
        rng.random_range(11.5..13.5)
    };
    let min_teachers = (classes * if primary { 1.3 } else { 2.4 }).ceil();
    let above_std = if primary { 4.2 } else { 5.3 };
    let above = (p * above_std * rng.random_range(1.05..1.45) / 100.0).ceil();
    let teachers = (p / per_teacher)
        .round()
        .max(min_teachers)
        .max(above)
        .max(2.0);
    let backbone = (p * rng.random_range(1.05..1.9) / 100.0)
        .ceil()
        .min(teachers);
    let pe_art = (p * 0.9 * rng.random_range(1.06..1.6) / 100.0)
        .ceil()
        .min(teachers);
    let pe = (pe_art * 0.45).ceil();
    let music = ((pe_art - pe) / 2.0).ceil();
    let art = pe_art - pe - music;
    let certified = if o.uncertified {
        teachers - 1.0
    } else {
        teachers
    };
    BTreeMap::from([
        (Measure::Students, p),
        (Measure::Classes, classes),
        (Measure::LargestClass, largest),
        (Measure::FullTimeTeachers, teachers),
        (Measure::TeachersAboveDegree, above),
        (Measure::BackboneTeachers, backbone),
        (Measure::PeTeachers, pe),
        (Measure::MusicTeachers, music),
        (Measure::ArtTeachers, art),
        (Measure::CertifiedTeachers, certified),
    ])
}

/// Buildings, equipment, multimedia and special rooms for `weighted`
/// students. `sections` lists each 学段 with the factor its per-student value
/// gets from apportioning (1 for a one-row school; the junior weight's
/// inverse for a 一贯制 小学部), so every 部 meets the standard after the
/// county apportions the whole-school figure.
fn shared(
    rng: &mut ChaCha8Rng,
    weighted: f64,
    sections: &[(Section, f64)],
    students: f64,
    classes: f64,
    short: &[(Ind, f64)],
    urban: bool,
) -> BTreeMap<Measure, f64> {
    let need = |i: Ind| -> f64 {
        sections
            .iter()
            .map(|(s, k)| standard(i, *s) * k)
            .fold(0.0, f64::max)
    };
    let factor = |rng: &mut ChaCha8Rng, i: Ind, lo: f64, hi: f64| -> f64 {
        match short.iter().find(|(x, _)| *x == i) {
            Some((_, f)) => *f,
            None => rng.random_range(lo..hi),
        }
    };
    let (l5_lo, l5_hi) = if urban { (1.03, 1.3) } else { (1.05, 1.9) };
    let f4 = factor(rng, Ind::L4, 1.04, 1.6);
    let f5 = factor(rng, Ind::L5, l5_lo, l5_hi);
    let f6 = factor(rng, Ind::L6, 1.05, 1.7);
    let teaching = round1(weighted * need(Ind::L4) * f4);
    let sports = round1(weighted * need(Ind::L5) * f5);
    let equipment = (weighted * need(Ind::L6) * f6 / 100.0).ceil() * 100.0;
    let l7 = sections
        .iter()
        .map(|(s, k)| {
            if *s == Section::Primary {
                2.3 * k
            } else {
                2.4 * k
            }
        })
        .fold(0.0, f64::max);
    let multimedia = (weighted * l7 * rng.random_range(1.03..1.3) / 100.0)
        .ceil()
        .max(classes.min(students / 20.0).ceil());
    let rooms_needed = (classes / 12.0).ceil().max(1.0);
    let music = rooms_needed + f64::from(rng.random_bool(0.2));
    let art = rooms_needed + f64::from(rng.random_bool(0.2));
    let music_area = round1(music * rng.random_range(96.0..128.0));
    let art_area = round1(art * rng.random_range(90.0..120.0));
    BTreeMap::from([
        (Measure::TeachingArea, teaching),
        (Measure::SportsArea, sports),
        (Measure::EquipmentValue, equipment),
        (Measure::MultimediaRooms, multimedia),
        (Measure::MusicRooms, music),
        (Measure::MusicRoomArea, music_area),
        (Measure::ArtRooms, art),
        (Measure::ArtRoomArea, art_area),
    ])
}

#[derive(Default)]
struct Names {
    used: BTreeSet<String>,
    villages: BTreeSet<String>,
    urban_primary: u32,
    urban_junior: u32,
}

impl Names {
    fn name(&mut self, p: &Plan, rng: &mut ChaCha8Rng) -> String {
        let town = TOWNS[p.town].0;
        let short = town.trim_end_matches('镇');
        let candidate = match (p.kind, p.town <= 1) {
            (Kind::Primary, true) => {
                self.urban_primary += 1;
                format!("泗县第{}小学", numeral(self.urban_primary))
            }
            (Kind::Junior, true) => {
                self.urban_junior += 1;
                format!("泗县第{}初级中学", numeral(self.urban_junior))
            }
            (Kind::Complete, _) => "泗县第二中学".to_string(),
            (Kind::Private, _) => "泗县育英小学".to_string(),
            (Kind::Primary, false) if p.central => format!("{town}中心小学"),
            (Kind::Junior, false) if p.central => format!("{town}{short}初级中学"),
            (Kind::NineYear, _) if !self.used.contains(&format!("{town}中心学校")) => {
                format!("{town}中心学校")
            }
            (kind, _) => {
                let v = self.village(town, rng);
                let suffix = match kind {
                    Kind::Junior => "初级中学",
                    Kind::NineYear => "学校",
                    Kind::TeachingPoint => "教学点",
                    _ => "小学",
                };
                format!("{town}{v}{suffix}")
            }
        };
        let mut name = candidate.clone();
        let mut k = 2;
        while self.used.contains(&name) {
            name = format!("{candidate}（{}）", numeral(k));
            k += 1;
        }
        self.used.insert(name.clone());
        name
    }

    fn village(&mut self, town: &str, rng: &mut ChaCha8Rng) -> String {
        for _ in 0..50 {
            let v = format!(
                "{}{}",
                VILLAGE_HEADS[rng.random_range(0..VILLAGE_HEADS.len())],
                VILLAGE_TAILS[rng.random_range(0..VILLAGE_TAILS.len())]
            );
            if self.villages.insert(format!("{town}{v}")) {
                return v;
            }
        }
        let mut k = 1;
        loop {
            let v = format!("第{}村", numeral(k));
            if self.villages.insert(format!("{town}{v}")) {
                return v;
            }
            k += 1;
        }
    }
}

/// 一 … 九十九, then Arabic digits.
fn numeral(n: u32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", D[(n % 10) as usize]),
        20..=99 => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
        _ => n.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Workbooks
// ---------------------------------------------------------------------------

/// Measures written, in column order: the data dictionary's, with
/// 体育艺术专任教师数 given as its three parts.
fn measures() -> impl Iterator<Item = Measure> {
    Measure::ALL
        .into_iter()
        .filter(|m| *m != Measure::PeArtTeachers)
}

fn xlsx_error(path: &Path, e: XlsxError) -> Error {
    Error::Other(format!("{}：无法写出工作簿：{e}", path.display()))
}

/// A fixed creation time, so the same schools give the same bytes.
fn properties(title: &str) -> Result<DocProperties, XlsxError> {
    let created = ExcelDateTime::from_ymd(2023, 9, 30)?.and_hms(8, 0, 0)?;
    Ok(DocProperties::new()
        .set_title(title)
        .set_author("dudao")
        .set_comment("dudao 生成的示例数据，不是真实统计数据")
        .set_creation_datetime(&created))
}

fn part_text(part: RowPart, suffix: bool) -> &'static str {
    match (part, suffix) {
        (RowPart::Section(Section::Primary), false) => "小学",
        (RowPart::Section(Section::Junior), false) => "初中",
        (RowPart::HighSchool, false) => "高中",
        (RowPart::WholeSchool, _) => "全校",
        (RowPart::Section(Section::Primary), true) => "小学部",
        (RowPart::Section(Section::Junior), true) => "初中部",
        (RowPart::HighSchool, true) => "高中部",
    }
}

/// The data dictionary's own layout: one header row with the canonical
/// names, one row per school-学段, and a `学段 = 全校` row for the shared
/// resources of 一贯制 schools and the 完全中学. What `dudao init` writes.
pub fn write_clean_xlsx(path: &Path, schools: &[SynthSchool]) -> Result<(), Error> {
    clean_workbook(schools)
        .and_then(|mut wb| wb.save(path))
        .map_err(|e| xlsx_error(path, e))
}

fn clean_header(m: Measure) -> String {
    match m {
        Measure::TeachingArea
        | Measure::SportsArea
        | Measure::MusicRoomArea
        | Measure::ArtRoomArea => {
            format!("{}（平方米）", m.zh())
        }
        Measure::EquipmentValue => format!("{}（元）", m.zh()),
        _ => m.zh().to_string(),
    }
}

fn clean_workbook(schools: &[SynthSchool]) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&properties("学校统计表")?);
    let ws = wb.add_worksheet();
    ws.set_name("学校统计表")?;
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7");
    let text = Format::new().set_border(FormatBorder::Thin);
    let num = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.##");
    let mut headers: Vec<String> = [
        "学校名称",
        "学校类型",
        "学段",
        "办学性质",
        "城乡类别",
        "所在乡镇",
    ]
    .map(String::from)
    .to_vec();
    headers.extend(measures().map(clean_header));
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &head)?;
        ws.set_column_width(c as u16, if c == 0 { 24.0 } else { 11.0 })?;
    }
    ws.set_row_height(0, 42.0)?;
    ws.set_freeze_panes(1, 1)?;
    let mut r = 1u32;
    for s in schools {
        let mut lines: Vec<(RowPart, &BTreeMap<Measure, f64>)> =
            s.rows.iter().map(|x| (x.part, &x.values)).collect();
        if !s.whole.is_empty() {
            lines.push((RowPart::WholeSchool, &s.whole));
        }
        for (part, values) in lines {
            let lead = [
                s.name.as_str(),
                s.school_type.zh(),
                part_text(part, false),
                s.ownership.zh(),
                s.locality.zh(),
                s.township.as_str(),
            ];
            for (c, t) in lead.iter().enumerate() {
                ws.write_string_with_format(r, c as u16, *t, &text)?;
            }
            for (k, m) in measures().enumerate() {
                let c = (6 + k) as u16;
                match values.get(&m) {
                    Some(v) => ws.write_number_with_format(r, c, *v, &num)?,
                    None => ws.write_blank(r, c, &text)?,
                };
            }
            r += 1;
        }
    }
    Ok(wb)
}

/// Columns of the export layout after 序号 and the six 基本情况 columns:
/// (measure, group heading, own heading). A measure with a group heading
/// sits under it in the second header row.
const EXPORT_COLUMNS: [(Measure, &str, &str); 18] = [
    (Measure::Students, "", "在校生数（人）"),
    (Measure::Classes, "", "班级数（个）"),
    (Measure::LargestClass, "", "最大班额（人）"),
    (Measure::FullTimeTeachers, "教师（人）", "专任教师"),
    (Measure::TeachersAboveDegree, "教师（人）", "高于规定学历"),
    (Measure::BackboneTeachers, "教师（人）", "县级以上骨干"),
    (Measure::PeTeachers, "教师（人）", "体育"),
    (Measure::MusicTeachers, "教师（人）", "音乐"),
    (Measure::ArtTeachers, "教师（人）", "美术"),
    (Measure::CertifiedTeachers, "教师（人）", "持证"),
    (Measure::TeachingArea, "", "教学及辅助用房面积（㎡）"),
    (Measure::SportsArea, "", "体育运动场馆面积（㎡）"),
    (Measure::EquipmentValue, "", "教学仪器设备值（万元）"),
    (Measure::MultimediaRooms, "", "网络多媒体教室（间）"),
    (Measure::MusicRooms, "音乐专用教室", "间数"),
    (Measure::MusicRoomArea, "音乐专用教室", "面积（㎡）"),
    (Measure::ArtRooms, "美术专用教室", "间数"),
    (Measure::ArtRoomArea, "美术专用教室", "面积（㎡）"),
];

const LEAD: [&str; 6] = [
    "学校名称",
    "学校类型",
    "学段",
    "办学性质",
    "城乡类别",
    "所在乡镇",
];
/// 序号 + 基本情况 + measures + 备注.
const EXPORT_WIDTH: u16 = 1 + 6 + 18 + 1;

/// The messy layout of a statistics-office export: a title row (merged
/// across) and a 填报单位/填报日期 row above a two-row header with merged
/// group headings; 万元 and ㎡ in the headings; some numbers stored as text
/// with thousands separators, stray spaces or full-width digits; the
/// 九年一贯制 and 完全中学 shared resources as cells merged down over the
/// school's 部 rows; a 小计 row and a blank row after each township, a 合计
/// row and 制表人/审核人 footer lines.
pub fn write_export_xlsx(path: &Path, title: &str, schools: &[SynthSchool]) -> Result<(), Error> {
    export_workbook(title, schools, true)
        .and_then(|mut wb| wb.save(path))
        .map_err(|e| xlsx_error(path, e))
}

/// The export layout without merged data cells: each 部 row repeats the
/// school's name, and shared resources go in a `全校` row. The header keeps
/// its merged group headings. For formats whose readers see no merged cells
/// (ods converted from it, csv).
pub fn write_export_xlsx_unmerged(
    path: &Path,
    title: &str,
    schools: &[SynthSchool],
) -> Result<(), Error> {
    export_workbook(title, schools, false)
        .and_then(|mut wb| wb.save(path))
        .map_err(|e| xlsx_error(path, e))
}

struct Styles {
    title: Format,
    note: Format,
    head: Format,
    text: Format,
    center: Format,
    int: Format,
    dec: Format,
    wan: Format,
    total: Format,
    total_num: Format,
}

/// Writes numbers, some of them the way people type them.
struct NumberWriter {
    /// Numeric cells written so far.
    count: u32,
}

impl NumberWriter {
    fn write(
        &mut self,
        ws: &mut Worksheet,
        r: u32,
        c: u16,
        v: f64,
        decimals: usize,
        st: &Styles,
    ) -> Result<(), XlsxError> {
        self.count += 1;
        let k = self.count;
        let fmt = match decimals {
            0 => &st.int,
            1 => &st.dec,
            _ => &st.wan,
        };
        let plain = crate::profile::fmt_number(v);
        if k == 2 || k == 41 {
            let wide: String = plain
                .chars()
                .map(|ch| match ch {
                    '0'..='9' => char::from_u32(ch as u32 - '0' as u32 + '０' as u32).unwrap_or(ch),
                    '.' => '．',
                    ch => ch,
                })
                .collect();
            ws.write_string_with_format(r, c, &wide, &st.text)?;
        } else if v >= 1000.0 && k.is_multiple_of(4) {
            ws.write_string_with_format(r, c, grouped(&plain), &st.text)?;
        } else if k % 29 == 7 {
            ws.write_string_with_format(r, c, format!(" {plain} "), &st.text)?;
        } else {
            ws.write_number_with_format(r, c, v, fmt)?;
        }
        Ok(())
    }
}

/// `1234567.5` → `1,234,567.5`.
fn grouped(plain: &str) -> String {
    let (int, frac) = match plain.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (plain, None),
    };
    let digits: Vec<char> = int.chars().collect();
    let mut out = String::new();
    for (i, ch) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

fn decimals(m: Measure) -> usize {
    match m {
        Measure::EquipmentValue => 2,
        m if m.is_count() => 0,
        _ => 1,
    }
}

/// A value as the export shows it: equipment in 万元.
fn shown(m: Measure, v: f64) -> f64 {
    if m == Measure::EquipmentValue {
        v / 10_000.0
    } else {
        v
    }
}

fn locality_code(l: Locality) -> &'static str {
    match l {
        Locality::Urban => "111主城区",
        Locality::Town => "121镇中心区",
        Locality::Rural => "220村庄",
    }
}

fn export_workbook(
    title: &str,
    schools: &[SynthSchool],
    merge_down: bool,
) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&properties(title)?);
    let border = || {
        Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
    };
    let st = Styles {
        title: Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        note: Format::new()
            .set_align(FormatAlign::Left)
            .set_align(FormatAlign::VerticalCenter),
        head: border()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center),
        text: border(),
        center: border().set_align(FormatAlign::Center),
        int: border().set_num_format("0"),
        dec: border().set_num_format("0.0"),
        wan: border().set_num_format("0.00"),
        total: border().set_bold().set_align(FormatAlign::Center),
        total_num: border().set_bold().set_num_format("0.##"),
    };
    let ws = wb.add_worksheet();
    ws.set_name("学校基本情况")?;
    let last = EXPORT_WIDTH - 1;
    ws.merge_range(0, 0, 0, last, title, &st.title)?;
    ws.set_row_height(0, 30.0)?;
    let county: String = title.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let unit = if county.ends_with(['县', '区', '市']) {
        format!("{county}教育体育局")
    } else {
        "教育体育局".into()
    };
    ws.merge_range(1, 0, 1, 12, &format!("填报单位：{unit}（盖章）"), &st.note)?;
    ws.merge_range(1, 13, 1, last, "填报日期：2023年9月30日", &st.note)?;

    // Two header rows.
    let (h1, h2) = (2u32, 3u32);
    ws.merge_range(h1, 0, h2, 0, "序号", &st.head)?;
    ws.merge_range(h1, 1, h1, 6, "基本情况", &st.head)?;
    for (k, t) in LEAD.iter().enumerate() {
        ws.write_string_with_format(h2, (1 + k) as u16, *t, &st.head)?;
    }
    let mut c = 7u16;
    while ((c - 7) as usize) < EXPORT_COLUMNS.len() {
        let (_, group, own) = EXPORT_COLUMNS[(c - 7) as usize];
        if group.is_empty() {
            ws.merge_range(h1, c, h2, c, own, &st.head)?;
            c += 1;
            continue;
        }
        let n = EXPORT_COLUMNS.iter().filter(|x| x.1 == group).count() as u16;
        ws.merge_range(h1, c, h1, c + n - 1, group, &st.head)?;
        for k in 0..n {
            ws.write_string_with_format(
                h2,
                c + k,
                EXPORT_COLUMNS[(c + k - 7) as usize].2,
                &st.head,
            )?;
        }
        c += n;
    }
    ws.merge_range(h1, last, h2, last, "备注", &st.head)?;
    ws.set_row_height(h1, 24.0)?;
    ws.set_row_height(h2, 42.0)?;
    ws.set_column_width(0, 5.0)?;
    ws.set_column_width(1, 24.0)?;
    ws.set_column_width(2, 13.0)?;
    for c in 3..last {
        ws.set_column_width(c, 9.0)?;
    }
    ws.set_column_width(last, 10.0)?;
    ws.set_freeze_panes(4, 2)?;

    let mut r = 4u32;
    let mut numbers = NumberWriter { count: 0 };
    let mut seq = 0u32;
    let mut county_sum: BTreeMap<Measure, f64> = BTreeMap::new();
    let mut i = 0;
    while i < schools.len() {
        let town = &schools[i].township;
        let block: Vec<&SynthSchool> = schools[i..]
            .iter()
            .take_while(|s| &s.township == town)
            .collect();
        i += block.len();
        let mut sum: BTreeMap<Measure, f64> = BTreeMap::new();
        for s in block {
            seq += 1;
            let mut lines: Vec<(RowPart, &BTreeMap<Measure, f64>)> =
                s.rows.iter().map(|x| (x.part, &x.values)).collect();
            if !merge_down && !s.whole.is_empty() {
                lines.push((RowPart::WholeSchool, &s.whole));
            }
            let first = r;
            let span = lines.len() as u32;
            let several = span > 1;
            let lead = |part: RowPart| {
                let type_text = match s.school_type {
                    SchoolType::Junior => "初级中学",
                    ref t => t.zh(),
                };
                [
                    s.name.clone(),
                    type_text.to_string(),
                    if several {
                        part_text(part, true)
                    } else {
                        part_text(part, false)
                    }
                    .to_string(),
                    s.ownership.zh().to_string(),
                    locality_code(s.locality).to_string(),
                    s.township.clone(),
                ]
            };
            for (k, (part, values)) in lines.iter().enumerate() {
                let row = r + k as u32;
                let texts = lead(*part);
                if merge_down && several {
                    if k == 0 {
                        ws.merge_range(row, 0, row + span - 1, 0, &seq.to_string(), &st.center)?;
                        for (j, t) in texts.iter().enumerate() {
                            if j == 2 {
                                continue;
                            }
                            ws.merge_range(
                                row,
                                (1 + j) as u16,
                                row + span - 1,
                                (1 + j) as u16,
                                t,
                                &st.text,
                            )?;
                        }
                    }
                    ws.write_string_with_format(row, 3, &texts[2], &st.center)?;
                } else {
                    ws.write_number_with_format(row, 0, seq as f64, &st.center)?;
                    for (j, t) in texts.iter().enumerate() {
                        ws.write_string_with_format(row, (1 + j) as u16, t, &st.text)?;
                    }
                }
                for (j, (m, _, _)) in EXPORT_COLUMNS.iter().enumerate() {
                    let col = (7 + j) as u16;
                    let merged = merge_down && m.is_shared_resource() && !s.whole.is_empty();
                    if merged {
                        if k == 0 {
                            match s.whole.get(m) {
                                Some(v) => {
                                    let shown = shown(*m, *v);
                                    ws.merge_range(row, col, row + span - 1, col, "", &st.int)?;
                                    numbers.write(ws, row, col, shown, decimals(*m), &st)?;
                                }
                                None => {
                                    ws.merge_range(row, col, row + span - 1, col, "—", &st.center)?;
                                }
                            }
                        }
                        continue;
                    }
                    match values.get(m) {
                        Some(v) => numbers.write(ws, row, col, shown(*m, *v), decimals(*m), &st)?,
                        None if *part == RowPart::WholeSchool => {
                            ws.write_blank(row, col, &st.text)?;
                        }
                        None => {
                            ws.write_string_with_format(row, col, "—", &st.center)?;
                        }
                    }
                }
                ws.write_blank(row, last, &st.text)?;
            }
            if s.ownership == Ownership::Private {
                ws.write_string_with_format(first, last, "民办", &st.text)?;
            }
            r += span;
            for x in &s.rows {
                for (m, v) in &x.values {
                    *sum.entry(*m).or_default() += v;
                }
            }
            for (m, v) in &s.whole {
                *sum.entry(*m).or_default() += v;
            }
        }
        total_row(ws, r, &format!("{town}小计"), &sum, &st)?;
        for (m, v) in sum {
            *county_sum.entry(m).or_default() += v;
        }
        r += 1;
        if i < schools.len() {
            r += 1; // a blank row between township blocks
        }
    }
    total_row(ws, r, "全县合计", &county_sum, &st)?;
    r += 2;
    ws.merge_range(
        r,
        0,
        r,
        last,
        "制表人：王××　　　审核人：李××　　　单位负责人：张××",
        &st.note,
    )?;
    ws.merge_range(r + 1, 0, r + 1, last, "说明：本表为 dudao 生成的示例数据，不是真实统计数据。教学仪器设备值单位为万元；九年一贯制学校、完全中学的共用校舍和设备填全校数。", &st.note)?;
    Ok(wb)
}

fn total_row(
    ws: &mut Worksheet,
    r: u32,
    label: &str,
    sum: &BTreeMap<Measure, f64>,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.merge_range(r, 0, r, 6, label, &st.total)?;
    for (j, (m, _, _)) in EXPORT_COLUMNS.iter().enumerate() {
        let col = (7 + j) as u16;
        match sum.get(m) {
            Some(v) if *m != Measure::LargestClass => {
                let v = shown(*m, *v);
                let v = (v * 100.0).round() / 100.0;
                ws.write_number_with_format(r, col, v, &st.total_num)?;
            }
            _ => {
                ws.write_blank(r, col, &st.total)?;
            }
        }
    }
    ws.write_blank(r, EXPORT_WIDTH - 1, &st.total)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Last year
// ---------------------------------------------------------------------------

/// The example's changes between the two years, by name.
pub struct YearChanges<'a> {
    /// Better last year than now (the one school that regressed).
    pub regressing: &'a str,
    /// This year's name and last year's, of a school renamed since.
    pub renamed: (&'a str, &'a str),
    /// Opened this year: not in last year's data.
    pub opened: &'a str,
    /// Closed since: a school last year's data has and this year's not.
    pub closed: &'a str,
}

/// Last year's county, derived from this year's so the two stay paired:
/// every third 乡村 school had a quarter less building, equipment and
/// qualified staff (the county's investment since closed the gap, so CVs
/// fall and schools newly pass), one school was better last year, one was
/// renamed, one opened and one closed.
pub fn previous_year(schools: &[SynthSchool], ch: &YearChanges) -> Vec<SynthSchool> {
    const BUILT: [Measure; 4] = [
        Measure::TeachingArea,
        Measure::SportsArea,
        Measure::EquipmentValue,
        Measure::MultimediaRooms,
    ];
    const STAFF: [Measure; 2] = [Measure::TeachersAboveDegree, Measure::BackboneTeachers];
    let scale = |values: &mut BTreeMap<Measure, f64>, by: f64| {
        for m in BUILT.iter().chain(&STAFF) {
            if let Some(v) = values.get_mut(m) {
                let f = if STAFF.contains(m) {
                    1.0 - (1.0 - by) * 0.8
                } else {
                    by
                };
                *v = if m.is_count() {
                    (*v * f).round()
                } else {
                    round1(*v * f)
                };
            }
        }
        // Never more qualified teachers than teachers.
        if let Some(t) = values.get(&Measure::FullTimeTeachers).copied()
            && let Some(a) = values.get_mut(&Measure::TeachersAboveDegree)
        {
            *a = a.min(t);
        }
    };
    let mut out = Vec::new();
    let mut rural = 0;
    for s in schools {
        if s.name == ch.opened {
            continue;
        }
        let mut last = s.clone();
        let by = if s.name == ch.regressing {
            1.3
        } else if s.locality == Locality::Rural {
            rural += 1;
            if rural % 3 == 0 { 0.75 } else { 1.0 }
        } else {
            1.0
        };
        if by != 1.0 {
            for r in &mut last.rows {
                scale(&mut r.values, by);
            }
            scale(&mut last.whole, by);
        }
        if s.name == ch.renamed.0 {
            last.name = ch.renamed.1.to_string();
        }
        out.push(last);
    }
    if let Some(like) = schools
        .iter()
        .find(|s| s.school_type == SchoolType::Primary)
    {
        let mut gone = like.clone();
        gone.name = ch.closed.to_string();
        out.push(gone);
    }
    out
}

// ---------------------------------------------------------------------------
// Checking what the reader made of it
// ---------------------------------------------------------------------------

/// Every difference between the schools the reader loaded and the synthetic
/// ones they were written from; empty when the reader got everything.
pub fn differences(county: &County, schools: &[SynthSchool]) -> Vec<String> {
    let mut out = Vec::new();
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(1.0);
    if county.schools.len() != schools.len() {
        out.push(format!(
            "学校数：读到 {}，应为 {}",
            county.schools.len(),
            schools.len()
        ));
    }
    for (i, s) in schools.iter().enumerate() {
        let Some(got) = county.schools.iter().find(|x| x.name == s.name) else {
            out.push(format!("没有读到学校“{}”", s.name));
            continue;
        };
        if county.schools.get(i).map(|x| &x.name) != Some(&s.name) {
            out.push(format!("“{}”的顺序不对", s.name));
        }
        if got.school_type != s.school_type {
            out.push(format!(
                "“{}”学校类型 {:?}，应为 {:?}",
                s.name, got.school_type, s.school_type
            ));
        }
        if got.ownership != s.ownership {
            out.push(format!("“{}”办学性质不对", s.name));
        }
        if got.locality != Some(s.locality) {
            out.push(format!(
                "“{}”城乡类别 {:?}，应为 {:?}",
                s.name, got.locality, s.locality
            ));
        }
        if got.township.as_deref() != Some(s.township.as_str()) {
            out.push(format!(
                "“{}”所在乡镇 {:?}，应为 {}",
                s.name, got.township, s.township
            ));
        }
        let got_parts: Vec<RowPart> = got
            .rows
            .iter()
            .map(|r| r.part)
            .filter(|p| *p != RowPart::WholeSchool)
            .collect();
        let want_parts: Vec<RowPart> = s.rows.iter().map(|r| r.part).collect();
        if got_parts != want_parts {
            out.push(format!(
                "“{}”的部：读到 {got_parts:?}，应为 {want_parts:?}",
                s.name
            ));
        }
        for row in &s.rows {
            let Some(g) = got.row(row.part) else { continue };
            for (m, v) in &row.values {
                match g.get(*m) {
                    Some(f) if same(f.value, *v) => {}
                    Some(f) => out.push(format!(
                        "“{}”{:?} {}：读到 {}（{}），应为 {v}",
                        s.name,
                        row.part,
                        m.zh(),
                        f.value,
                        f.at
                    )),
                    None => out.push(format!(
                        "“{}”{:?} {}：没有读到，应为 {v}",
                        s.name,
                        row.part,
                        m.zh()
                    )),
                }
            }
            for (m, f) in &g.figures {
                if !row.values.contains_key(m) {
                    out.push(format!(
                        "“{}”{:?} {}：多读到 {}（{}）",
                        s.name,
                        row.part,
                        m.zh(),
                        f.value,
                        f.at
                    ));
                }
            }
        }
        for (m, v) in &s.whole {
            match got.whole.get(m) {
                Some(f) if same(f.value, *v) => {}
                Some(f) => out.push(format!(
                    "“{}”全校 {}：读到 {}（{}），应为 {v}",
                    s.name,
                    m.zh(),
                    f.value,
                    f.at
                )),
                None => out.push(format!("“{}”全校 {}：没有读到，应为 {v}", s.name, m.zh())),
            }
        }
        for m in got.whole.keys() {
            if !s.whole.contains_key(m) {
                out.push(format!("“{}”全校 {}：多读到", s.name, m.zh()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{MetStatus, evaluate};

    const PLAN: &str = "county: 合成县\nreport: { title: 合成县自评报告, issuer: 合成县人民政府教育督导委员会, date: 2024-05-20 }\nplan: { title: 合成县实施方案, issuer: 合成县人民政府, date: 2023-07-14 }\ndata:\n  schools: [学校.xlsx]\n";

    fn load(dir: &Path) -> County {
        let plan = dir.join("plan.yaml");
        std::fs::write(&plan, PLAN).unwrap();
        crate::input::load(&plan, &[]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn same_n_same_schools_and_bytes() {
        assert_eq!(county(150), county(150));
        assert_ne!(county(150), county(151));
        for n in [0, 1, 2, 3, 5, 9, 13, 40, 150, 600] {
            let c = county(n);
            assert_eq!(section_rows(&c), n, "n = {n}");
            let names: BTreeSet<_> = c.iter().map(|s| &s.name).collect();
            assert_eq!(names.len(), c.len(), "unique names, n = {n}");
        }
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
        let schools = county(60);
        write_export_xlsx(&a, "合成县（示例数据）", &schools).unwrap();
        write_export_xlsx(&b, "合成县（示例数据）", &schools).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        write_clean_xlsx(&a, &schools).unwrap();
        write_clean_xlsx(&b, &schools).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }

    #[test]
    fn mix_like_sixian() {
        let c = county(150);
        let count = |t: SchoolType| c.iter().filter(|s| s.school_type == t).count();
        assert!(count(SchoolType::Primary) > 100);
        assert!(count(SchoolType::Junior) >= 15);
        assert!(count(SchoolType::NineYear) >= 3);
        assert_eq!(count(SchoolType::Complete), 1);
        assert!(count(SchoolType::TeachingPoint) >= 3);
        assert_eq!(
            c.iter()
                .filter(|s| s.ownership == Ownership::Private)
                .count(),
            1
        );
        let complete = c
            .iter()
            .find(|s| s.school_type == SchoolType::Complete)
            .unwrap();
        assert!(complete.row(RowPart::HighSchool).is_some());
        assert!(c.iter().any(|s| s.name == "墩集镇中心小学"));
        assert!(c.iter().any(|s| s.name == "泗县第一小学"));
        for s in &c {
            assert_eq!(s.whole.is_empty(), s.rows.len() == 1, "{}", s.name);
        }
    }

    #[test]
    fn clean_layout_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let schools = county(80);
        write_clean_xlsx(&dir.path().join("学校.xlsx"), &schools).unwrap();
        let c = load(dir.path());
        let diff = differences(&c, &schools);
        assert!(diff.is_empty(), "{}", diff.join("\n"));
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn export_layout_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let schools = county(80);
        write_export_xlsx(
            &dir.path().join("学校.xlsx"),
            "合成县2023—2024学年学校统计表（示例数据）",
            &schools,
        )
        .unwrap();
        let c = load(dir.path());
        let diff = differences(&c, &schools);
        assert!(diff.is_empty(), "{}", diff.join("\n"));
        let towns: BTreeSet<_> = schools.iter().map(|s| &s.township).collect();
        let totals = c
            .skipped
            .iter()
            .filter(|s| s.reason.contains("小计"))
            .count();
        assert_eq!(totals, towns.len());
        assert_eq!(
            c.skipped
                .iter()
                .filter(|s| s.reason.contains("合计"))
                .count(),
            1
        );
        assert_eq!(
            c.skipped
                .iter()
                .filter(|s| s.reason.contains("表尾"))
                .count(),
            2
        );
    }

    #[test]
    fn unmerged_export_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let schools = county(30);
        write_export_xlsx_unmerged(
            &dir.path().join("学校.xlsx"),
            "合成县（示例数据）",
            &schools,
        )
        .unwrap();
        let c = load(dir.path());
        let diff = differences(&c, &schools);
        assert!(diff.is_empty(), "{}", diff.join("\n"));
    }

    #[test]
    fn most_schools_meet_the_standards() {
        let dir = tempfile::tempdir().unwrap();
        let schools = county(150);
        write_clean_xlsx(&dir.path().join("学校.xlsx"), &schools).unwrap();
        let e = evaluate(&load(dir.path()));
        let included: Vec<_> = e.schools.iter().filter(|s| s.included).collect();
        let failing = included.iter().filter(|s| !s.passes).count();
        assert!((1..=2).contains(&failing), "{failing} schools fail");
        let short = included
            .iter()
            .filter(|s| s.status.values().any(|m| *m != MetStatus::Met))
            .count();
        assert!(
            (3..=10).contains(&short),
            "{short} schools short of a standard"
        );
        assert!(
            included
                .iter()
                .all(|s| s.status.values().all(|m| *m != MetStatus::Missing))
        );
        for section in Section::ALL {
            let r = e.resource.section(section);
            assert!(
                r.cv_all_ok,
                "{section:?}: {:?}",
                r.indicators.values().map(|i| i.cv).collect::<Vec<_>>()
            );
            for i in r.indicators.values() {
                assert!(i.cv.unwrap() < 0.40, "{section:?} {} cv {:?}", i.name, i.cv);
            }
        }
        let excluded: Vec<_> = e.schools.iter().filter(|s| !s.included).collect();
        assert_eq!(excluded.len(), 1, "only the 民办 school is excluded");
        // G5: one 小学 over 45; G12: one school with an uncertified teacher.
        let g = |id: &str| e.guarantee.iter().find(|g| g.id == id).unwrap();
        assert_eq!(g("G5").met, Some(false));
        assert_eq!(g("G12").met, Some(false));
        assert_eq!(g("G4").met, Some(true));
    }
}
