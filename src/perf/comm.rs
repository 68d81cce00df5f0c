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

/// Hierarchical all-gather (or reduce-scatter) of a `bytes`-sized tensor over `n` ranks
/// laid out `per_node` to a node, when `n` spans several nodes: first among the ranks of
/// the same local index across the `n/per_node` nodes (each GPU's own NIC, so all NICs of a
/// node work in parallel), then inside each node over NVLink:
/// `(k−1)/k · S/per_node / bw_inter + (per_node−1)/per_node · S / bw_intra` with `k` nodes
/// (NCCL's hierarchical algorithms; Jia et al., arXiv:1807.11205 §3.2 for the two-level
/// all-reduce). Within one node it is the plain ring.
pub fn hierarchical_all_gather_s(
    bytes: f64,
    n: f64,
    per_node: f64,
    intra: Link,
    inter: Link,
) -> f64 {
    if n <= per_node {
        return all_gather_s(bytes, n, intra);
    }
    let nodes = n / per_node;
    all_gather_s(bytes / per_node, nodes, inter) + all_gather_s(bytes, per_node, intra)
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

    /// TP16 on two 8-GPU nodes, 1 GB gathered: across the nodes each GPU's NIC carries
    /// 1/2 · 1e9/8 = 62.5 MB at 42.5 GB/s = 1.4706 ms (+1 step of 14 µs); inside the node
    /// 7/8 · 1e9 at 240 GB/s = 3.6458 ms (+7 steps of 3.4 µs). A flat ring over the NICs would
    /// take 15/16 · 1e9 / 42.5e9 = 22.06 ms.
    #[test]
    fn hierarchical_all_gather_by_hand() {
        let intra = Link {
            bytes_per_s: 240e9,
            alpha_s: 3.4e-6,
        };
        let inter = Link {
            bytes_per_s: 42.5e9,
            alpha_s: 14e-6,
        };
        let t = hierarchical_all_gather_s(1e9, 16.0, 8.0, intra, inter);
        let want = 0.5 * 1e9 / 8.0 / 42.5e9 + 14e-6 + 7.0 / 8.0 * 1e9 / 240e9 + 7.0 * 3.4e-6;
        assert!((t - want).abs() < 1e-12, "{t} vs {want}");
        assert!(t < all_gather_s(1e9, 16.0, inter) / 4.0);
        assert_eq!(
            hierarchical_all_gather_s(1e9, 8.0, 8.0, intra, inter),
            all_gather_s(1e9, 8.0, intra)
        );
    }
}
