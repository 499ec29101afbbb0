//! The student-weighted coefficient of variation (校际差异系数), population
//! form, exactly as the national method defines it. An unweighted CV is a
//! different number; reviewers recompute this one.

use serde::Serialize;

/// Mean, standard deviation and CV of one indicator over one 学段, unrounded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightedCv {
    /// X̄ = Σ PᵢXᵢ / P, which equals the county aggregate ratio.
    pub mean: f64,
    /// S = sqrt( Σ (Pᵢ/P)(Xᵢ − X̄)² )
    pub sd: f64,
    /// S / X̄; `None` when X̄ is 0 (no resource at all: CV undefined).
    pub cv: Option<f64>,
}

/// `(students, value)` pairs → the weighted CV. `None` for no students.
pub fn weighted_cv(points: &[(f64, f64)]) -> Option<WeightedCv> {
    let p: f64 = points.iter().map(|(w, _)| w).sum();
    if points.is_empty() || p <= 0.0 {
        return None;
    }
    let mean = points.iter().map(|(w, x)| w * x).sum::<f64>() / p;
    let var = points
        .iter()
        .map(|(w, x)| (w / p) * (x - mean).powi(2))
        .sum::<f64>();
    let sd = var.sqrt();
    let cv = (mean != 0.0).then(|| sd / mean);
    Some(WeightedCv { mean, sd, cv })
}

/// Each school's share of the weighted variance, for finding the schools
/// that pull a CV over its limit.
pub fn variance_shares(points: &[(f64, f64)], mean: f64) -> Vec<f64> {
    let p: f64 = points.iter().map(|(w, _)| w).sum();
    let terms: Vec<f64> = points
        .iter()
        .map(|(w, x)| (w / p) * (x - mean).powi(2))
        .collect();
    let total: f64 = terms.iter().sum();
    terms
        .iter()
        .map(|t| if total > 0.0 { t / total } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook example: books per student in five 小学.
    const BOOKS: [(f64, f64); 5] = [
        (45.0, 279.0),
        (37.0, 137.0),
        (89.0, 935.0),
        (76.0, 160.0),
        (55.0, 402.0),
    ];

    fn per_student() -> Vec<(f64, f64)> {
        BOOKS.iter().map(|(p, b)| (*p, b / p)).collect()
    }

    #[test]
    fn textbook_example_is_weighted() {
        let r = weighted_cv(&per_student()).unwrap();
        assert!((r.mean - 6.3344).abs() < 5e-5, "mean {}", r.mean);
        assert!((r.sd - 3.264).abs() < 5e-4, "sd {}", r.sd);
        let cv = r.cv.unwrap();
        assert!((cv - 0.5153).abs() < 5e-5, "cv {cv}");
        // The unweighted forms give other numbers: the method is not those.
        let xs: Vec<f64> = per_student().iter().map(|(_, x)| *x).collect();
        let m = xs.iter().sum::<f64>() / 5.0;
        let ss = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>();
        assert!(((ss / 5.0).sqrt() / m - 0.489).abs() < 1e-3);
        assert!(((ss / 4.0).sqrt() / m - 0.547).abs() < 1e-3);
    }

    #[test]
    fn mean_is_county_aggregate_ratio() {
        let r = weighted_cv(&per_student()).unwrap();
        let books: f64 = BOOKS.iter().map(|(_, b)| b).sum();
        let students: f64 = BOOKS.iter().map(|(p, _)| p).sum();
        assert!((r.mean - books / students).abs() < 1e-12);
    }

    #[test]
    fn cv_is_scale_free() {
        let base = weighted_cv(&per_student()).unwrap().cv.unwrap();
        for k in [0.001, 3.0, 10_000.0] {
            let scaled: Vec<(f64, f64)> = per_student().iter().map(|(p, x)| (*p, x * k)).collect();
            let cv = weighted_cv(&scaled).unwrap().cv.unwrap();
            assert!((cv - base).abs() < 1e-12);
        }
    }

    #[test]
    fn no_students_no_cv() {
        assert!(weighted_cv(&[]).is_none());
        assert_eq!(weighted_cv(&[(10.0, 0.0)]).unwrap().cv, None);
    }

    #[test]
    fn variance_shares_sum_to_one() {
        let pts = per_student();
        let r = weighted_cv(&pts).unwrap();
        let s: f64 = variance_shares(&pts, r.mean).iter().sum();
        assert!((s - 1.0).abs() < 1e-12);
    }
}
