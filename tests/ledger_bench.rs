//! The benchmark of reading back a large 整改台账 (issue 17: it was
//! quadratic in its rows). Ignored in the normal suite; driven by
//! `scripts/bench-ledger.sh`, which builds it in the release profile
//! without the `report` feature (no typst: the ledger's reading, carrying
//! and writing do not use it), so that it calls the same functions as
//! `dudao ledger PLAN --ledger OLD.xlsx` — `ledger::load`, `ledger::build`,
//! `ledger::xlsx::workbook` — in minutes of build instead of twenty.
//!
//!   DUDAO_BENCH_ROWS=100000 cargo test --release --no-default-features \
//!     --test ledger_bench -- --ignored --nocapture

use std::path::Path;
use std::time::{Duration, Instant};

/// CPU time of this process so far (user and system): on the shared
/// 2-core machine, wall time mostly measures the neighbours.
fn cpu() -> Duration {
    // SAFETY: getrusage writes into the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| Duration::new(v.tv_sec as u64, v.tv_usec as u32 * 1000);
    t(u.ru_utime) + t(u.ru_stime)
}

#[test]
#[ignore]
fn bench_ledger_read_back() {
    let n: usize = std::env::var("DUDAO_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sixian/plan.yaml");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("台账.xlsx");

    // The previous ledger: n rows as the tool writes them, each with the
    // text staff type, for schools the new data no longer finds.
    let (county, _) = dudao::ledger::load(&plan, &[], None, false).unwrap();
    let e = dudao::evaluate::evaluate(&county);
    let mut l = dudao::ledger::build(&county, &e, None).unwrap();
    let model = l.items[0].clone();
    l.items = (1..=n)
        .map(|i| {
            let mut it = model.clone();
            it.scope = format!("第{i}号学校");
            it.key = dudao::ledger::key(&it.scope, "小学", "L5");
            it.person = format!("责任人{i}");
            it.progress = format!("第{i}项：已列入年度计划，正在招标。");
            it
        })
        .collect();
    let day = county.plan.report.date.value.0;
    let bytes = dudao::ledger::xlsx::workbook(&l, day).unwrap();
    std::fs::write(&file, &bytes).unwrap();

    // What `dudao ledger PLAN --ledger FILE` does, phase by phase.
    let t0 = Instant::now();
    let (_county, _) = dudao::ledger::load(&plan, &[], None, false).unwrap();
    let t_county = t0.elapsed();
    let c0 = cpu();
    let t1 = Instant::now();
    let (county, prev) = dudao::ledger::load(&plan, &[], Some(&file), false).unwrap();
    let t_load = t1.elapsed();
    let prev = prev.unwrap();
    assert_eq!(prev.rows.len(), n);
    let t2 = Instant::now();
    let e = dudao::evaluate::evaluate(&county);
    let l = dudao::ledger::build(&county, &e, Some(&prev)).unwrap();
    let t_carry = t2.elapsed();
    let t3 = Instant::now();
    let out = dudao::ledger::xlsx::workbook(&l, day).unwrap();
    let t_write = t3.elapsed();
    let c_total = cpu() - c0;
    // The workbook reader alone, for where the read time goes.
    let t4 = Instant::now();
    let grids = dudao::input::grid::read_workbook(&file, "台账").unwrap();
    let t_grid = t4.elapsed();
    assert!(grids.iter().any(|g| g.rows.len() > n));
    let closed = l
        .items
        .iter()
        .filter(|i| i.status == dudao::ledger::CLOSED)
        .count();
    assert_eq!(closed, n);
    let read = t_load.saturating_sub(t_county);
    println!(
        "BENCH rows={n} file={:.1}MB county={:.2}s read={:.2}s (read_workbook {:.2}s) evaluate+carry={:.2}s write={:.2}s total={:.2}s (cpu {:.2}s) out={:.1}MB",
        bytes.len() as f64 / 1e6,
        t_county.as_secs_f64(),
        read.as_secs_f64(),
        t_grid.as_secs_f64(),
        t_carry.as_secs_f64(),
        t_write.as_secs_f64(),
        (t_load + t_carry + t_write).as_secs_f64(),
        c_total.as_secs_f64(),
        out.len() as f64 / 1e6,
    );
}
