//! TPP and performance density.
//!
//! "TPP is 2 × MacTOPS × bit length of the operation, aggregated over all processing units"
//! (88 FR 73458, Technical Notes to 3A090). A datasheet's dense TOPS/TFLOPS already counts
//! a MAC as two operations, so `TPP = max over precisions of (dense peak × bit length)`;
//! `PD = TPP / applicable (logic) die area in mm²`. Dense, never sparse, peaks.

use crate::catalog::{GpuSpec, RETICLE_LIMIT_MM2};

/// Total processing performance: the maximum over BF16/FP16 (16 bits), FP8 and INT8 (8 bits).
pub fn tpp(gpu: &GpuSpec) -> f64 {
    let mut t = gpu.bf16_dense_tflops * 16.0;
    if let Some(f) = gpu.fp8_dense_tflops {
        t = t.max(f * 8.0);
    }
    if let Some(i) = gpu.int8_dense_tops {
        t = t.max(i * 8.0);
    }
    t
}

/// Performance density, TPP per mm² of logic die; `None` when the die area is not published.
pub fn performance_density(gpu: &GpuSpec) -> Option<f64> {
    gpu.die_area_mm2.map(|a| tpp(gpu) / a)
}

/// The most logic-die area the chip can have when its area is not published: each die is at
/// most the reticle (858 mm²), so `logic_dies × 858` (one die unless the catalog says more).
pub fn max_die_area_mm2(gpu: &GpuSpec) -> f64 {
    f64::from(gpu.logic_dies.unwrap_or(1).max(1)) * RETICLE_LIMIT_MM2
}

/// A lower bound on performance density: the published PD, else TPP over the largest area
/// the logic dies can have ([`max_die_area_mm2`]). A chip cannot pass a PD test by not
/// publishing its die area.
pub fn performance_density_lower_bound(gpu: &GpuSpec) -> f64 {
    performance_density(gpu).unwrap_or_else(|| tpp(gpu) / max_die_area_mm2(gpu))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// gpus.md §1: H100 max(989.5×16, 1979×8) = 15,832, PD 15,832/814 = 19.45;
    /// A100 max(312×16, 624×8) = 4,992, PD 4,992/826 = 6.04; H20 max(148×16, 296×8) = 2,368,
    /// PD 2,368/814 = 2.91.
    #[test]
    fn tpp_and_density_by_hand() {
        let c = Catalog::builtin();
        for (id, t, pd) in [
            ("h100-sxm-80gb", 15_832.0, 19.45),
            ("a100-sxm-80gb", 4_992.0, 6.04),
            ("h20", 2_368.0, 2.91),
        ] {
            let g = c.gpu(id).unwrap();
            assert_eq!(tpp(g), t, "{id}");
            assert!((performance_density(g).unwrap() - pd).abs() < 0.005, "{id}");
        }
    }

    /// Issue 11: TPU v4 (one die, area unpublished) PD ≥ 4,400 / 858 = 5.13; the L2
    /// PD ≥ 1,544 / 858 = 1.80; a published area is used as it is (H100 19.45).
    #[test]
    fn unknown_die_area_is_bounded_by_the_reticle() {
        let c = Catalog::builtin();
        for (id, lo) in [("tpu-v4", 5.128), ("l2", 1.7995), ("h100-sxm-80gb", 19.449)] {
            let g = c.gpu(id).unwrap();
            assert!(
                (performance_density_lower_bound(g) - lo).abs() < 0.001,
                "{id}"
            );
        }
        assert_eq!(max_die_area_mm2(c.gpu("tpu-v4").unwrap()), 858.0);
    }
}
