//! A bounded memo of plan searches with single flight, for servers that are asked the same
//! question many times (`trainsim serve`).
//!
//! A search is a pure function of its inputs (the step model, the GPU count, the fixed plan
//! values and K), so its answer can be kept. The key is the `Debug` text of every input,
//! which prints each float exactly (the shortest text that reads back to the same bits):
//! equal keys mean equal inputs, field by field, and a new field of any input joins the key
//! by itself. Concurrent asks of one key wait for the one search in flight instead of each
//! running it (a `OnceLock` per key). At most `capacity` answers are kept; the least
//! recently used goes first.
//!
//! A memo applies to the searches of the thread that installs it with [`with_memo`] (and
//! only there): [`super::search`] asks [`search_timed`], which goes through the installed
//! memo, if any. So every search the serve path runs, the H100-equivalent one inside
//! `estimate` included, is memoised, and the CLI (which installs none) runs as before.
//!
//! Why per thread and not process-wide: a rayon worker that waited on a key's slot could,
//! while the search it waits for is in flight on its own stack (rayon steals work into a
//! waiting `join`), be handed a job asking for the same key, and wait on itself. The serve
//! path installs the memo on its blocking threads, which are not rayon workers: they hand
//! the search's parallel part to the pool and wait without taking other work.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use super::search::{search_uncached, SearchResult};
use crate::perf::StepModel;
use crate::plan::SearchSpace;

/// A search's answer and the wall time of the search that found it, seconds.
#[derive(Debug, Clone)]
pub struct Searched {
    /// What the search found.
    pub result: SearchResult,
    /// Wall time of the search that found it (not of a later lookup), seconds.
    pub search_s: f64,
}

/// One key's slot: filled once, by the first asker; the others wait on it.
type Slot<V> = Arc<OnceLock<V>>;

struct Inner<V> {
    /// Key → (slot, tick of its last use).
    map: HashMap<String, (Slot<V>, u64)>,
    /// Uses so far (the clock of least-recently-used).
    tick: u64,
}

/// A bounded map from key to value, each value computed once even under concurrent asks.
pub struct Memo<V> {
    inner: Mutex<Inner<V>>,
    capacity: usize,
}

impl<V: Clone> Memo<V> {
    /// An empty memo that keeps at most `capacity` values (at least 1).
    pub fn new(capacity: usize) -> Self {
        Memo {
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                tick: 0,
            }),
            capacity: capacity.max(1),
        }
    }

    /// The value of `key`: kept, being computed by another thread (wait for it), or computed
    /// here by `f` and kept.
    pub fn get_or_compute(&self, key: String, f: impl FnOnce() -> V) -> V {
        let slot = {
            let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            g.tick += 1;
            let tick = g.tick;
            if let Some((slot, used)) = g.map.get_mut(&key) {
                *used = tick;
                slot.clone()
            } else {
                if g.map.len() >= self.capacity {
                    let oldest = g
                        .map
                        .iter()
                        .min_by_key(|(_, (_, used))| *used)
                        .map(|(k, _)| k.clone());
                    if let Some(k) = oldest {
                        g.map.remove(&k);
                    }
                }
                let slot: Slot<V> = Arc::default();
                g.map.insert(key, (slot.clone(), tick));
                slot
            }
        };
        // Outside the map's lock: other keys proceed while this one is computed.
        slot.get_or_init(f).clone()
    }

    /// Values kept (computed or in flight).
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The memo of plan searches.
pub type SearchMemo = Memo<Searched>;

/// The key of a search: the `Debug` text of all its inputs (floats print exactly).
pub fn search_key(model: &StepModel, gpus: u64, space: &SearchSpace, top_k: usize) -> String {
    format!("{model:?}|{gpus}|{space:?}|{top_k}")
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<SearchMemo>>> = const { RefCell::new(None) };
}

/// Run `f` with `memo` answering this thread's plan searches; the previous memo (if any)
/// is restored afterwards, also when `f` panics.
pub fn with_memo<R>(memo: &Arc<SearchMemo>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<SearchMemo>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
    let prev = CURRENT.with(|c| c.borrow_mut().replace(memo.clone()));
    let _restore = Restore(prev);
    f()
}

/// Search the plan space (as [`super::search`]) and the wall time of the search that found
/// the answer: through this thread's memo when one is installed ([`with_memo`]).
pub fn search_timed(model: &StepModel, gpus: u64, space: &SearchSpace, top_k: usize) -> Searched {
    let run = || {
        let start = Instant::now();
        let result = search_uncached(model, gpus, space, top_k);
        Searched {
            result,
            search_s: start.elapsed().as_secs_f64(),
        }
    };
    match CURRENT.with(|c| c.borrow().clone()) {
        Some(memo) => memo.get_or_compute(search_key(model, gpus, space, top_k), run),
        None => run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn computes_each_key_once_under_concurrent_asks() {
        let memo = Arc::new(Memo::<u64>::new(8));
        let runs = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (memo, runs) = (memo.clone(), runs.clone());
                std::thread::spawn(move || {
                    memo.get_or_compute("k".into(), || {
                        runs.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        42
                    })
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), 42);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn keeps_at_most_capacity_and_drops_the_least_recently_used() {
        let memo = Memo::<usize>::new(2);
        memo.get_or_compute("a".into(), || 1);
        memo.get_or_compute("b".into(), || 2);
        memo.get_or_compute("a".into(), || unreachable!("kept"));
        memo.get_or_compute("c".into(), || 3);
        assert_eq!(memo.len(), 2);
        assert_eq!(memo.get_or_compute("a".into(), || 9), 1);
        assert_eq!(memo.get_or_compute("b".into(), || 9), 9, "b was the oldest");
    }

    #[test]
    fn without_an_installed_memo_nothing_is_kept() {
        let memo = Arc::new(SearchMemo::new(4));
        assert!(CURRENT.with(|c| c.borrow().is_none()));
        with_memo(&memo, || {
            assert!(CURRENT.with(|c| c.borrow().is_some()));
        });
        assert!(CURRENT.with(|c| c.borrow().is_none()));
        assert!(memo.is_empty());
    }
}
