//! Answers already given, by endpoint and query: the engine is deterministic, so the same
//! question has the same answer (except `plan`'s `search_s`, the first search's wall time).
//! Bounded: the oldest answer goes when [`CACHE_ENTRIES`] are held.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::api::Answer;
use super::limits::CACHE_ENTRIES;
use super::query::Endpoint;

/// A bounded first-in-first-out map from question to answer.
#[derive(Default)]
pub struct Cache {
    inner: Mutex<(HashMap<String, Answer>, VecDeque<String>)>,
}

/// The key of a question: endpoint and its parameters in order.
pub fn key(endpoint: Endpoint, params: &[(String, String)]) -> String {
    let mut k = endpoint.command().to_owned();
    for (n, v) in params {
        k.push('\0');
        k.push_str(n);
        k.push('=');
        k.push_str(v);
    }
    k
}

impl Cache {
    /// The answer given before to `key`, if held.
    pub fn get(&self, key: &str) -> Option<Answer> {
        let g = self.inner.lock().ok()?;
        g.0.get(key).cloned()
    }

    /// Keep `answer` for `key`, dropping the oldest entry when full.
    pub fn put(&self, key: String, answer: &Answer) {
        let Ok(mut g) = self.inner.lock() else {
            return;
        };
        if g.0.contains_key(&key) {
            return;
        }
        if g.1.len() >= CACHE_ENTRIES {
            if let Some(old) = g.1.pop_front() {
                g.0.remove(&old);
            }
        }
        g.1.push_back(key.clone());
        g.0.insert(key, answer.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_at_most_the_bound_and_drops_the_oldest() {
        let c = Cache::default();
        for i in 0..CACHE_ENTRIES + 1 {
            c.put(format!("k{i}"), &Answer::Json(i.to_string()));
        }
        assert!(c.get("k0").is_none());
        assert!(matches!(c.get("k1"), Some(Answer::Json(s)) if s == "1"));
        let n = CACHE_ENTRIES.to_string();
        assert!(matches!(c.get(&format!("k{CACHE_ENTRIES}")), Some(Answer::Json(s)) if s == n));
    }
}
