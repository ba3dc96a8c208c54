//! The event queue: a short sorted list with a total, documented order.
//!
//! Events are ordered by `(time, class, seq)`, smaller first:
//! - `time`: when the event happens;
//! - `class`: at equal times, work completions (0) before duty changes and budget renewals (1)
//!   before
//!   emergency-help arrivals (2); ticket arrivals (3) come from a separate sorted list and are
//!   processed after every queued event of the same time. So a ticket arriving at 08:00 sees the
//!   admin whose duty starts at 08:00, and a session that ends exactly at the end of a shift
//!   completes before the shift ends;
//! - `seq`: insertion order (FIFO among equal times and classes), which makes the order total.
//!
//! Cancelled events are not removed: each carries the session token it was scheduled for and
//! is ignored when the token is stale (lazy deletion, as in many DES kernels; cheaper than a
//! keyed queue for our short queues).

use crate::time::SimTime;

/// Something that happens at a point in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// The work session of responder `r` with session token `token` ends (completion, end of
    /// duty, budget exhausted).
    WorkEnds { r: u32, token: u32 },
    /// Responder `r` is back from an on-site visit.
    ReturnEnds { r: u32 },
    /// Responder `r` goes on or off duty.
    DutyChanges { r: u32 },
    /// A new week gives responder `r`, whose weekly IT budget is spent, a full budget again.
    BudgetRenews { r: u32 },
    /// Emergency help called for ticket `ticket` is ready to work.
    HelpArrives { ticket: u32 },
    /// The next waiting tickets reach their escalation time (see `EmergencyHelp`).
    Escalates,
}

impl Event {
    fn class(self) -> u8 {
        match self {
            Event::WorkEnds { .. } | Event::ReturnEnds { .. } => 0,
            Event::DutyChanges { .. } | Event::BudgetRenews { .. } => 1,
            Event::HelpArrives { .. } | Event::Escalates => 2,
        }
    }
}

/// Class of ticket arrivals, which come after every queued class at the same time.
pub(crate) const ARRIVAL_CLASS: u8 = 3;

/// A queued event with its key `(time, class, seq)` packed into one integer: the time with its
/// sign bit flipped (so that unsigned order is time order), then `class << 56 | seq`.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Entry {
    key: u128,
    event: Event,
}

impl Entry {
    fn new(time: SimTime, seq: u64, event: Event) -> Entry {
        let time = (time.0 as u64) ^ (1 << 63);
        Entry {
            key: u128::from(time) << 64 | u128::from(event.class()) << 56 | u128::from(seq),
            event,
        }
    }

    fn time(&self) -> SimTime {
        SimTime(((self.key >> 64) as u64 ^ (1 << 63)) as i64)
    }

    fn class(&self) -> u8 {
        (self.key >> 56) as u8
    }
}

/// Min-queue of events keyed by `(time, class, seq)`.
///
/// A vector sorted latest first rather than a binary heap: a run has one pending event per
/// responder and state (five on average in mustermann-gmbh, two in the M/M/2), so popping the
/// last element and inserting near the end beat a heap's sifting, which showed up in profiles.
#[derive(Default)]
pub(crate) struct EventQueue {
    entries: Vec<Entry>,
    seq: u64,
}

impl EventQueue {
    /// Schedules `event` at `time`.
    // Inlined: passed to an out-of-line call, the event went through the stack, and its
    // reload stalled on store forwarding (a quarter of this function's time in `perf`).
    #[inline(always)]
    pub(crate) fn push(&mut self, time: SimTime, event: Event) {
        self.seq += 1;
        debug_assert!(self.seq < 1 << 56, "event sequence overflow");
        let entry = Entry::new(time, self.seq, event);
        // New events are mostly among the soonest (a session's end before the next duty
        // change), so the place is searched from the soon end, and the one or two sooner
        // entries move up in a plain loop: cheaper than a binary search and a call to memmove.
        let entries = &mut self.entries;
        let mut at = entries.len();
        while at > 0 && entries[at - 1].key < entry.key {
            at -= 1;
        }
        entries.push(entry);
        for i in (at..entries.len() - 1).rev() {
            entries[i + 1] = entries[i];
        }
        entries[at] = entry;
    }

    /// Time and class of the next event.
    pub(crate) fn peek(&self) -> Option<(SimTime, u8)> {
        self.entries.last().map(|e| (e.time(), e.class()))
    }

    /// Removes and returns the next event.
    pub(crate) fn pop(&mut self) -> Option<(SimTime, Event)> {
        self.entries.pop().map(|e| (e.time(), e.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_time_then_class_then_fifo() {
        let mut q = EventQueue::default();
        q.push(SimTime(10), Event::DutyChanges { r: 1 });
        q.push(SimTime(10), Event::WorkEnds { r: 2, token: 0 });
        q.push(SimTime(5), Event::HelpArrives { ticket: 3 });
        q.push(SimTime(10), Event::DutyChanges { r: 4 });
        q.push(SimTime(-7), Event::DutyChanges { r: 5 });
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (SimTime(-7), Event::DutyChanges { r: 5 }),
                (SimTime(5), Event::HelpArrives { ticket: 3 }),
                (SimTime(10), Event::WorkEnds { r: 2, token: 0 }),
                (SimTime(10), Event::DutyChanges { r: 1 }),
                (SimTime(10), Event::DutyChanges { r: 4 }),
            ]
        );
    }
}
