//! Collective-communication times by the alpha-beta model.
//!
//! A ring over `n` ranks moves `(n−1)/n · S` bytes through each rank's link per
//! reduce-scatter or all-gather and twice that per all-reduce, in `n−1` (resp. `2(n−1)`)
//! latency steps (Thakur, Rabenseifner & Gropp 2005; NCCL's ring algorithm). `bw` is the
//! achieved one-direction bandwidth per rank, bytes/s, and `alpha` the per-step latency.

/// A link: achieved one-direction bandwidth per rank and per-step latency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Achieved bandwidth, bytes/s.
    pub bytes_per_s: f64,
    /// Latency per ring step, seconds.
    pub alpha_s: f64,
}

/// Ring all-reduce of `bytes` over `n` ranks: `2(n−1)/n · S/bw + 2(n−1)·α`.
pub fn all_reduce_s(bytes: f64, n: f64, link: Link) -> f64 {
    if n <= 1.0 || bytes <= 0.0 {
        return 0.0;
    }
    2.0 * (n - 1.0) / n * bytes / link.bytes_per_s + 2.0 * (n - 1.0) * link.alpha_s
}

/// Ring reduce-scatter or all-gather of a `bytes`-sized (full) tensor over `n` ranks:
/// `(n−1)/n · S/bw + (n−1)·α`.
pub fn all_gather_s(bytes: f64, n: f64, link: Link) -> f64 {
    if n <= 1.0 || bytes <= 0.0 {
        return 0.0;
    }
    (n - 1.0) / n * bytes / link.bytes_per_s + (n - 1.0) * link.alpha_s
}

/// Point-to-point send of `bytes`.
pub fn p2p_s(bytes: f64, link: Link) -> f64 {
    bytes / link.bytes_per_s + link.alpha_s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1 GB all-reduce over 8 A100s on NVLink at 80% of 300 GB/s = 240 GB/s, 3.4 µs a step:
    /// 2·7/8·1e9/240e9 = 7.2917 ms plus 14·3.4 µs = 47.6 µs → 7.3393 ms.
    #[test]
    fn ring_all_reduce_by_hand() {
        let link = Link {
            bytes_per_s: 240e9,
            alpha_s: 3.4e-6,
        };
        let t = all_reduce_s(1e9, 8.0, link);
        assert!((t - (2.0 * 7.0 / 8.0 * 1e9 / 240e9 + 14.0 * 3.4e-6)).abs() < 1e-15);
        assert!((t * 1e3 - 7.339_27).abs() < 1e-4, "{t}");
        assert_eq!(all_reduce_s(1e9, 1.0, link), 0.0);
        // Nothing to send costs nothing, not n−1 latencies.
        assert_eq!(all_reduce_s(0.0, 4096.0, link), 0.0);
        assert_eq!(all_gather_s(0.0, 4096.0, link), 0.0);
        assert!((all_gather_s(1e9, 8.0, link) * 2.0 - t).abs() < 1e-15);
    }
}
