//! The server's bounds, in one place: query and value sizes, the per-request time limit and
//! how many searches run at once. The CLI's own input bounds (GPUs, tokens, plan degrees)
//! apply unchanged, since every value goes through the CLI's parsers.

use std::time::Duration;

/// Longest query string accepted, bytes (a pasted model file travels in it).
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// Longest value of one parameter other than `model_file`, bytes.
pub const MAX_VALUE_BYTES: usize = 200;

/// Most query parameters in one request.
pub const MAX_PARAMS: usize = 64;

/// Most fleets pinned side by side on the page.
pub const MAX_PINS: usize = 4;

/// Time limit of one request, waiting for a search slot included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Searches that may run at once: one per core (at least 2), each on a blocking thread.
pub fn max_concurrent_searches() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().max(2))
}

/// Answers kept for repeated questions (each a few kB of JSON).
pub const CACHE_ENTRIES: usize = 1024;

/// Plan searches kept for questions that need the same one (each the top few plans of one
/// search, well under a kB): estimate and page fragment, the other cost basis, a chip named
/// by an alias, a pinned fleet.
pub const SEARCH_MEMO_ENTRIES: usize = 1024;

/// Most trials of a storyline run by the timeline view: the shipped storylines' own count,
/// so the view answers as `trainsim timeline` does (a run's time is its plan searches; the
/// trials add little).
pub const TIMELINE_TRIALS: u64 = 1000;

/// How long the first ask of a storyline waits for its run before the "still computing"
/// page answers (under [`REQUEST_TIMEOUT`]).
pub const TIMELINE_WAIT: Duration = Duration::from_secs(8);
