//! The plan types live in the leaf module [`crate::plan`]; re-exported here, where the
//! search that produces them lives.

pub use crate::plan::{Recompute, Strategy};
