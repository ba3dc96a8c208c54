//! The waiting order of one queue: tickets ordered by `(priority, arrival, id)`, smaller first.
//!
//! One sorted deque per priority. Arrivals come in time order, so nearly every insertion is an
//! append and nearly every removal takes the front; a ticket put back after a pause re-enters
//! at its original place by binary search. This is the same order a `BTreeSet` of the keys
//! gives, at a fraction of the cost for the short queues of a support desk.

use std::collections::VecDeque;

use crate::model::Priority;
use crate::time::SimTime;

/// Waiting order key: `(priority, arrival, id)`, smaller first.
pub(crate) type WaitKey = (Priority, SimTime, usize);

/// Tickets waiting in one queue, in waiting order.
#[derive(Clone, Debug, Default)]
pub(crate) struct WaitQueue {
    /// `by_priority[p]`: `(arrival, id)` of the waiting tickets of priority `p`, sorted.
    by_priority: [VecDeque<(SimTime, usize)>; 4],
    /// Bit `p` set when `by_priority[p]` is not empty.
    nonempty: u8,
}

impl WaitQueue {
    /// Adds a ticket. It must not be waiting already.
    pub(crate) fn insert(&mut self, (priority, arrival, id): WaitKey) {
        self.nonempty |= 1 << priority.index();
        let q = &mut self.by_priority[priority.index()];
        let key = (arrival, id);
        if q.back().is_none_or(|&b| b < key) {
            q.push_back(key);
        } else {
            let at = q.partition_point(|&k| k < key);
            debug_assert!(q.get(at) != Some(&key), "ticket {id} is already waiting");
            q.insert(at, key);
        }
    }

    /// Removes a ticket; returns whether it was waiting.
    pub(crate) fn remove(&mut self, (priority, arrival, id): WaitKey) -> bool {
        let q = &mut self.by_priority[priority.index()];
        let key = (arrival, id);
        let removed = if q.front() == Some(&key) {
            q.pop_front();
            true
        } else if let Ok(at) = q.binary_search(&key) {
            q.remove(at);
            true
        } else {
            false
        };
        if q.is_empty() {
            self.nonempty &= !(1 << priority.index());
        }
        removed
    }

    /// Whether no ticket waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.nonempty == 0
    }

    /// The first waiting ticket.
    pub(crate) fn first(&self) -> Option<WaitKey> {
        self.first_from(0)
    }

    /// The first waiting ticket of priority index `from` or less urgent.
    fn first_from(&self, from: u32) -> Option<WaitKey> {
        let bits = u32::from(self.nonempty) >> from << from;
        if bits == 0 {
            return None;
        }
        let p = bits.trailing_zeros() as usize;
        Self::key(Priority::ALL[p], self.by_priority[p].front())
    }

    /// The first waiting P1 ticket.
    pub(crate) fn first_p1(&self) -> Option<WaitKey> {
        Self::key(Priority::P1, self.by_priority[0].front())
    }

    /// The first waiting ticket that is not a P1.
    pub(crate) fn first_non_p1(&self) -> Option<WaitKey> {
        self.first_from(1)
    }

    /// The waiting P1 tickets, in waiting order.
    pub(crate) fn p1(&self) -> impl Iterator<Item = WaitKey> + '_ {
        self.of(Priority::P1)
    }

    /// The waiting tickets of `priority`, in waiting order.
    fn of(&self, priority: Priority) -> impl Iterator<Item = WaitKey> + '_ {
        self.by_priority[priority.index()]
            .iter()
            .map(move |&(a, id)| (priority, a, id))
    }

    /// Every waiting ticket, in waiting order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = WaitKey> + '_ {
        Priority::ALL.into_iter().flat_map(|p| self.of(p))
    }

    fn key(p: Priority, k: Option<&(SimTime, usize)>) -> Option<WaitKey> {
        k.map(|&(a, id)| (p, a, id))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rand::{RngExt, SeedableRng};

    use super::*;

    /// The queue keeps exactly the order of a `BTreeSet` of the keys under random inserts and
    /// removals, including re-insertions in the middle.
    #[test]
    fn same_order_as_an_ordered_set() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut q = WaitQueue::default();
        let mut set = BTreeSet::new();
        let mut out: Vec<WaitKey> = Vec::new();
        for id in 0..5000usize {
            let p = Priority::ALL[rng.random_range(0..4)];
            let key = (p, SimTime(id as i64 / 3), id);
            q.insert(key);
            set.insert(key);
            match rng.random_range(0..4) {
                0 => {
                    let first = set.pop_first().expect("just inserted");
                    assert!(q.remove(first));
                    out.push(first);
                }
                1 if !out.is_empty() => {
                    // Put back a paused ticket.
                    let k = out.swap_remove(rng.random_range(0..out.len()));
                    q.insert(k);
                    set.insert(k);
                }
                2 if set.len() > 3 => {
                    let k = *set
                        .iter()
                        .nth(rng.random_range(0..set.len()))
                        .expect("in range");
                    set.remove(&k);
                    assert!(q.remove(k));
                    assert!(!q.remove(k));
                    out.push(k);
                }
                _ => {}
            }
            assert_eq!(
                q.iter().collect::<Vec<_>>(),
                set.iter().copied().collect::<Vec<_>>()
            );
            assert_eq!(
                q.first_p1(),
                set.first().copied().filter(|k| k.0 == Priority::P1)
            );
            let non_p1 = set
                .range((Priority::P2, SimTime(i64::MIN), 0)..)
                .next()
                .copied();
            assert_eq!(q.first_non_p1(), non_p1);
            assert_eq!(q.first(), set.first().copied());
            assert_eq!(q.is_empty(), set.is_empty());
        }
    }
}
