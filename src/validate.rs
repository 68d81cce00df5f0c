//! Validation
