//! Export-control metrics of a chip: total processing performance (TPP) and performance
//! density (PD), as defined in the Technical Notes to ECCN 3A090 (88 FR 73458).

pub mod tpp;

pub use tpp::{performance_density, tpp};
