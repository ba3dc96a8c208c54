//! Interval algebra over [`SimTime`]: sets of half-open time intervals for presence, working
//! hours and coverage windows.
//!
//! An [`IntervalSet`] is kept in a canonical form: intervals are sorted, non-empty, disjoint and
//! non-adjacent (`[8:00, 12:00)` and `[12:00, 17:00)` become `[8:00, 17:00)`). The canonical form
//! makes equality structural and means that every interval boundary is a real change between
//! "open" and "closed", which the event engine relies on when it schedules the next state change.
//!
//! A prefix sum of interval lengths turns business-time arithmetic ("4 business hours after this
//! ticket arrived") into two binary searches instead of a walk over days.
//!
//! Point queries ([`IntervalSet::contains`], [`IntervalSet::interval_at`],
//! [`IntervalSet::next_start_at_or_after`]) run in the engine's hot loop: they are `O(log n)`
//! and never allocate. Set operations build a new set in `O(n + m)`.

use crate::time::SimTime;

/// A set of disjoint, non-adjacent half-open intervals `[start, end)` of simulated time.
///
/// Build it with [`IntervalSet::from_intervals`] (which normalises any input) or
/// [`IntervalSet::span`]; combine sets with [`union`](IntervalSet::union),
/// [`intersect`](IntervalSet::intersect) and [`subtract`](IntervalSet::subtract).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct IntervalSet {
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// `cum[i]` = open seconds in intervals `0..i`; one entry longer than `starts`, so that
    /// `cum[len]` is the total and no query needs a special case for the last interval.
    cum: Vec<i64>,
}

/// [`IntervalSet::measure_before`] for times in (mostly) ascending order: each query gallops
/// from the previous answer's interval instead of searching the whole set, so a sweep over a
/// year of sorted events costs little more than walking the intervals once. Any order of
/// queries gives the same answers as `measure_before`; only the speed depends on it.
pub struct MeasureCursor<'a> {
    set: &'a IntervalSet,
    /// Number of intervals starting at or before the previous query's time.
    count: usize,
}

impl MeasureCursor<'_> {
    /// Open seconds in `(-inf, t)`.
    pub fn measure_before(&mut self, t: SimTime) -> i64 {
        let (starts, t) = (&self.set.starts, t.0);
        let n = starts.len();
        // Most queries fall into the interval (or gap) of the previous one.
        let c = self.count;
        if c <= n && (c == 0 || starts[c - 1] <= t) && (c == n || starts[c] > t) {
            return self.at(c, t);
        }
        self.seek(t)
    }

    /// Open seconds before `t`, given that `c` intervals start at or before it.
    #[inline]
    fn at(&self, c: usize, t: i64) -> i64 {
        if c == 0 {
            return 0;
        }
        self.set.cum[c - 1] + t.min(self.set.ends[c - 1]) - self.set.starts[c - 1]
    }

    fn seek(&mut self, t: i64) -> i64 {
        let starts = &self.set.starts;
        let n = starts.len();
        // Bracket the answer `c` (starts at or before `t`) as `lo <= c <= hi`, doubling the step
        // away from the previous answer, then search inside the bracket.
        let (mut lo, mut hi) = (0, n);
        let mut step = 1;
        let at = self.count.min(n);
        if at == 0 || starts[at - 1] <= t {
            lo = at;
            while lo + step <= n && starts[lo + step - 1] <= t {
                lo += step;
                step *= 2;
            }
            hi = hi.min(lo + step - 1);
        } else {
            hi = at - 1;
            while hi >= step && starts[hi - step] > t {
                hi -= step;
                step *= 2;
            }
            lo = lo.max(hi.saturating_sub(step - 1));
        }
        let c = lo + starts[lo..hi].partition_point(|&s| s <= t);
        self.count = c;
        self.at(c, t)
    }

    /// Open seconds in `[a, b)`; 0 if `b <= a`.
    pub fn measure_between(&mut self, a: SimTime, b: SimTime) -> i64 {
        if b <= a {
            return 0;
        }
        let before_a = self.measure_before(a);
        self.measure_before(b) - before_a
    }
}

/// Collects intervals in ascending start order into canonical form.
///
/// Callers must push in non-decreasing start order; overlapping or touching intervals are merged
/// here so that every set operation can share one normalisation rule.
struct Builder {
    starts: Vec<i64>,
    ends: Vec<i64>,
}

impl Builder {
    fn with_capacity(n: usize) -> Self {
        Builder {
            starts: Vec::with_capacity(n),
            ends: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, s: i64, e: i64) {
        if e <= s {
            return;
        }
        debug_assert!(self.starts.last().is_none_or(|&last| last <= s));
        match self.ends.last_mut() {
            Some(last_end) if *last_end >= s => *last_end = (*last_end).max(e),
            _ => {
                self.starts.push(s);
                self.ends.push(e);
            }
        }
    }

    fn finish(self) -> IntervalSet {
        let mut cum = Vec::with_capacity(self.starts.len() + 1);
        let mut acc = 0i64;
        cum.push(0);
        for (s, e) in self.starts.iter().zip(&self.ends) {
            acc += e - s;
            cum.push(acc);
        }
        IntervalSet {
            starts: self.starts,
            ends: self.ends,
            cum,
        }
    }
}

impl IntervalSet {
    /// The empty set.
    pub fn empty() -> Self {
        Builder::with_capacity(0).finish()
    }

    /// Builds a set from arbitrary intervals `(start, end)`.
    ///
    /// Input may be unsorted and overlapping; intervals with `end <= start` are dropped, and
    /// overlapping or adjacent ones are merged.
    pub fn from_intervals(mut v: Vec<(SimTime, SimTime)>) -> Self {
        v.sort_unstable();
        let mut b = Builder::with_capacity(v.len());
        for (s, e) in v {
            b.push(s.0, e.0);
        }
        b.finish()
    }

    /// The single interval `[from, to)`; empty if `to <= from`.
    pub fn span(from: SimTime, to: SimTime) -> Self {
        let mut b = Builder::with_capacity(1);
        b.push(from.0, to.0);
        b.finish()
    }

    /// The intervals in ascending order.
    pub fn intervals(&self) -> impl Iterator<Item = (SimTime, SimTime)> + '_ {
        self.starts
            .iter()
            .zip(&self.ends)
            .map(|(&s, &e)| (SimTime(s), SimTime(e)))
    }

    /// Number of (maximal) intervals.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the set contains no time at all.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The `i`-th interval in ascending order, if any.
    pub fn get(&self, i: usize) -> Option<(SimTime, SimTime)> {
        Some((SimTime(*self.starts.get(i)?), SimTime(self.ends[i])))
    }

    /// Start of the first interval.
    pub fn first_start(&self) -> Option<SimTime> {
        self.starts.first().map(|&s| SimTime(s))
    }

    /// End of the last interval.
    pub fn last_end(&self) -> Option<SimTime> {
        self.ends.last().map(|&e| SimTime(e))
    }

    /// Number of intervals starting at or before `t`; the candidate containing `t` is the one
    /// before that index.
    fn count_starting_at_or_before(&self, t: i64) -> usize {
        self.starts.partition_point(|&s| s <= t)
    }

    /// Index of the interval containing `t`.
    fn index_at(&self, t: i64) -> Option<usize> {
        let i = self.count_starting_at_or_before(t);
        (i > 0 && t < self.ends[i - 1]).then(|| i - 1)
    }

    /// Whether `t` lies in one of the intervals (start inclusive, end exclusive).
    pub fn contains(&self, t: SimTime) -> bool {
        self.index_at(t.0).is_some()
    }

    /// The interval containing `t`, if any.
    pub fn interval_at(&self, t: SimTime) -> Option<(SimTime, SimTime)> {
        self.index_at(t.0)
            .map(|i| (SimTime(self.starts[i]), SimTime(self.ends[i])))
    }

    /// `t` itself if `t` lies inside an interval, otherwise the start of the next interval;
    /// `None` if no open time remains at or after `t`.
    pub fn next_start_at_or_after(&self, t: SimTime) -> Option<SimTime> {
        let i = self.count_starting_at_or_before(t.0);
        if i > 0 && t.0 < self.ends[i - 1] {
            Some(t)
        } else {
            self.starts.get(i).map(|&s| SimTime(s))
        }
    }

    /// The first time after `t` at which membership changes: the end of the interval
    /// containing `t`, or the start of the next one if `t` lies outside.
    ///
    /// The engine uses it to schedule exactly one event per state change.
    pub fn next_change_after(&self, t: SimTime) -> Option<SimTime> {
        let i = self.count_starting_at_or_before(t.0);
        if i > 0 && t.0 < self.ends[i - 1] {
            Some(SimTime(self.ends[i - 1]))
        } else {
            self.starts.get(i).map(|&s| SimTime(s))
        }
    }

    /// Times in either set.
    pub fn union(&self, o: &Self) -> Self {
        let mut b = Builder::with_capacity(self.len() + o.len());
        let (mut i, mut j) = (0, 0);
        while i < self.len() || j < o.len() {
            let take_self = j >= o.len() || (i < self.len() && self.starts[i] <= o.starts[j]);
            if take_self {
                b.push(self.starts[i], self.ends[i]);
                i += 1;
            } else {
                b.push(o.starts[j], o.ends[j]);
                j += 1;
            }
        }
        b.finish()
    }

    /// Times in both sets.
    pub fn intersect(&self, o: &Self) -> Self {
        let mut b = Builder::with_capacity(self.len().max(o.len()));
        let (mut i, mut j) = (0, 0);
        while i < self.len() && j < o.len() {
            let s = self.starts[i].max(o.starts[j]);
            let e = self.ends[i].min(o.ends[j]);
            b.push(s, e);
            // The interval that ends first cannot meet anything further in the other set.
            if self.ends[i] <= o.ends[j] {
                i += 1;
            } else {
                j += 1;
            }
        }
        b.finish()
    }

    /// Times in `self` but not in `o`.
    pub fn subtract(&self, o: &Self) -> Self {
        let mut b = Builder::with_capacity(self.len() + o.len());
        let mut j = 0;
        for i in 0..self.len() {
            let (s, e) = (self.starts[i], self.ends[i]);
            let mut cur = s;
            while j < o.len() && o.ends[j] <= cur {
                j += 1;
            }
            while j < o.len() && o.starts[j] < e {
                b.push(cur, o.starts[j]);
                cur = cur.max(o.ends[j]);
                if o.ends[j] > e {
                    // This cut also covers the start of our next interval: keep it for that one.
                    break;
                }
                j += 1;
            }
            b.push(cur, e);
        }
        b.finish()
    }

    /// The part of the set inside `[from, to)`.
    pub fn clip(&self, from: SimTime, to: SimTime) -> Self {
        if to <= from {
            return Self::empty();
        }
        let lo = self.ends.partition_point(|&e| e <= from.0);
        let hi = self.starts.partition_point(|&s| s < to.0).max(lo);
        // The intervals in between end after `from` and start before `to`: clamped to
        // `[from, to)` they stay non-empty and apart, so the slice is already canonical.
        let mut starts = self.starts[lo..hi].to_vec();
        let mut ends = self.ends[lo..hi].to_vec();
        if let (Some(s), Some(e)) = (starts.first_mut(), ends.last_mut()) {
            *s = (*s).max(from.0);
            *e = (*e).min(to.0);
        }
        Builder { starts, ends }.finish()
    }

    /// Total open seconds.
    pub fn measure(&self) -> i64 {
        self.cum[self.len()]
    }

    /// Open seconds in `(-inf, t)`.
    pub fn measure_before(&self, t: SimTime) -> i64 {
        let i = self.count_starting_at_or_before(t.0);
        if i == 0 {
            return 0;
        }
        self.cum[i - 1] + t.0.min(self.ends[i - 1]) - self.starts[i - 1]
    }

    /// Open seconds in `[a, b)`; 0 if `b <= a`.
    pub fn measure_between(&self, a: SimTime, b: SimTime) -> i64 {
        if b <= a {
            return 0;
        }
        self.measure_before(b) - self.measure_before(a)
    }

    /// A cursor answering [`measure_before`](Self::measure_before) for a sequence of times
    /// that mostly move forward.
    pub fn measure_cursor(&self) -> MeasureCursor<'_> {
        MeasureCursor {
            set: self,
            count: 0,
        }
    }

    /// Inverse of [`measure_before`](Self::measure_before): the smallest `t` with
    /// `measure_before(t) == m` that lies inside an interval or at its start.
    ///
    /// When `m` falls exactly between two intervals this is the start of the later one, i.e. the
    /// moment the `m`-th open second has passed *and* the set is open again. For `m` equal to
    /// the total it is the end of the last interval. `None` if `m < 0`, `m > measure()`, or the
    /// set is empty.
    pub fn time_at_measure(&self, m: i64) -> Option<SimTime> {
        let n = self.len();
        if n == 0 || m < 0 || m > self.cum[n] {
            return None;
        }
        if m == self.cum[n] {
            return Some(SimTime(self.ends[n - 1]));
        }
        // First interval whose end-of-interval cumulative measure exceeds m.
        let i = self.cum[1..].partition_point(|&c| c <= m);
        Some(SimTime(self.starts[i] + (m - self.cum[i])))
    }

    /// The earliest time by which `secs` open seconds have elapsed after `t`; `None` if the set
    /// does not hold that many open seconds after `t`.
    ///
    /// Unlike [`time_at_measure`](Self::time_at_measure), a target that falls exactly on an
    /// interval end returns that end (work finishing at 17:00 finishes at 17:00, not at 08:00
    /// the next business day). `secs <= 0` returns `t`: nothing has to elapse.
    pub fn add_open(&self, t: SimTime, secs: i64) -> Option<SimTime> {
        if secs <= 0 {
            return Some(t);
        }
        let n = self.len();
        let m = self.measure_before(t) + secs;
        if m > self.cum[n] {
            return None;
        }
        // First interval whose end-of-interval cumulative measure reaches m.
        let i = self.cum[1..].partition_point(|&c| c < m);
        Some(SimTime(self.starts[i] + (m - self.cum[i])))
    }

    /// The parts of `within` not covered by `self` (`within.subtract(self)`), e.g. the
    /// business hours in which nobody is present.
    pub fn gaps_within(&self, within: &IntervalSet) -> IntervalSet {
        within.subtract(self)
    }
}

impl std::fmt::Debug for IntervalSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.intervals().map(|(s, e)| s..e))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[(i64, i64)]) -> IntervalSet {
        IntervalSet::from_intervals(v.iter().map(|&(s, e)| (SimTime(s), SimTime(e))).collect())
    }

    fn raw(s: &IntervalSet) -> Vec<(i64, i64)> {
        s.intervals().map(|(a, b)| (a.0, b.0)).collect()
    }

    #[test]
    fn from_intervals_sorts_drops_empty_and_merges_adjacent() {
        let s = set(&[
            (10, 20),
            (0, 5),
            (5, 7),
            (15, 25),
            (30, 30),
            (40, 35),
            (26, 28),
        ]);
        assert_eq!(raw(&s), vec![(0, 7), (10, 25), (26, 28)]);
        assert_eq!(s.measure(), 7 + 15 + 2);
        assert_eq!(s.len(), 3);
        assert!(IntervalSet::empty().is_empty());
        assert_eq!(IntervalSet::empty().measure(), 0);
        assert!(IntervalSet::span(SimTime(5), SimTime(5)).is_empty());
    }

    #[test]
    fn point_queries() {
        let s = set(&[(0, 10), (20, 30)]);
        assert!(s.contains(SimTime(0)));
        assert!(!s.contains(SimTime(10)));
        assert!(!s.contains(SimTime(-1)));
        assert_eq!(s.interval_at(SimTime(25)), Some((SimTime(20), SimTime(30))));
        assert_eq!(s.interval_at(SimTime(15)), None);
        assert_eq!(s.next_start_at_or_after(SimTime(5)), Some(SimTime(5)));
        assert_eq!(s.next_start_at_or_after(SimTime(10)), Some(SimTime(20)));
        assert_eq!(s.next_start_at_or_after(SimTime(30)), None);
        assert_eq!(s.next_change_after(SimTime(5)), Some(SimTime(10)));
        assert_eq!(s.next_change_after(SimTime(10)), Some(SimTime(20)));
        assert_eq!(s.next_change_after(SimTime(30)), None);
    }

    #[test]
    fn business_time_arithmetic_at_boundaries() {
        let s = set(&[(0, 10), (20, 30)]);
        // Exactly filling the first interval ends at its end, not at the next start.
        assert_eq!(s.add_open(SimTime(5), 5), Some(SimTime(10)));
        assert_eq!(s.add_open(SimTime(5), 6), Some(SimTime(21)));
        assert_eq!(s.add_open(SimTime(12), 3), Some(SimTime(23)));
        assert_eq!(s.add_open(SimTime(12), 0), Some(SimTime(12)));
        assert_eq!(s.add_open(SimTime(0), 20), Some(SimTime(30)));
        assert_eq!(s.add_open(SimTime(0), 21), None);
        // The inverse prefers the point at which the set is open again.
        assert_eq!(s.time_at_measure(10), Some(SimTime(20)));
        assert_eq!(s.time_at_measure(0), Some(SimTime(0)));
        assert_eq!(s.time_at_measure(20), Some(SimTime(30)));
        assert_eq!(s.time_at_measure(21), None);
        assert_eq!(IntervalSet::empty().time_at_measure(0), None);
        assert_eq!(s.measure_between(SimTime(5), SimTime(25)), 10);
        assert_eq!(s.measure_between(SimTime(25), SimTime(5)), 0);
    }

    /// Fixed-seed generator for the differential test; splitmix64 is enough because we only
    /// need varied, reproducible shapes, not statistical quality.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn range(&mut self, lo: i64, hi: i64) -> i64 {
            lo + (self.next() % (hi - lo) as u64) as i64
        }
    }

    /// Bitmap model over `[LO, HI)`; random sets stay well inside so that every boundary and
    /// the closed time around the set are probed.
    const LO: i64 = -40;
    const HI: i64 = 80;

    fn random_input(rng: &mut SplitMix) -> Vec<(i64, i64)> {
        let n = rng.range(0, 7);
        (0..n)
            .map(|_| {
                let s = rng.range(LO + 5, HI - 5);
                // Includes zero and negative lengths, which must be dropped.
                let e = s + rng.range(-2, 15);
                (s, e.min(HI - 5))
            })
            .collect()
    }

    fn bitmap(v: &[(i64, i64)]) -> Vec<bool> {
        let mut b = vec![false; (HI - LO) as usize];
        for &(s, e) in v {
            for t in s..e {
                b[(t - LO) as usize] = true;
            }
        }
        b
    }

    fn from_bitmap(b: &[bool]) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        let mut t = 0;
        while t < b.len() {
            if b[t] {
                let s = t;
                while t < b.len() && b[t] {
                    t += 1;
                }
                out.push((s as i64 + LO, t as i64 + LO));
            } else {
                t += 1;
            }
        }
        out
    }

    fn naive_measure_before(b: &[bool], t: i64) -> i64 {
        let k = (t - LO).clamp(0, b.len() as i64) as usize;
        b[..k].iter().filter(|&&x| x).count() as i64
    }

    fn at(b: &[bool], t: i64) -> bool {
        (LO..HI).contains(&t) && b[(t - LO) as usize]
    }

    #[test]
    fn cursor_agrees_with_search_over_long_jumps() {
        let mut rng = SplitMix(7);
        let v: Vec<(i64, i64)> = (0..1000).map(|i| (i * 100, i * 100 + 1 + i % 50)).collect();
        let a = set(&v);
        let mut cursor = a.measure_cursor();
        for _ in 0..20_000 {
            // Mostly short steps either way, sometimes a jump across the whole set.
            let t = SimTime(if rng.range(0, 10) == 0 {
                rng.range(-500, 100_500)
            } else {
                (i64::from(cursor.count as u32) * 100 + rng.range(-2_000, 2_000)).max(-10)
            });
            assert_eq!(cursor.measure_before(t), a.measure_before(t), "at {t:?}");
        }
    }

    #[test]
    fn differential_against_bitmap() {
        let mut rng = SplitMix(0x00C0_FFEE);
        for _ in 0..2_000 {
            let va = random_input(&mut rng);
            let vb = random_input(&mut rng);
            let (ba, bb) = (bitmap(&va), bitmap(&vb));
            let a = set(&va);
            let b = set(&vb);

            assert_eq!(raw(&a), from_bitmap(&ba), "normalisation of {va:?}");
            let zip = |f: fn(bool, bool) -> bool| -> Vec<(i64, i64)> {
                let m: Vec<bool> = ba.iter().zip(&bb).map(|(&x, &y)| f(x, y)).collect();
                from_bitmap(&m)
            };
            assert_eq!(raw(&a.union(&b)), zip(|x, y| x || y), "union {va:?} {vb:?}");
            assert_eq!(
                raw(&a.intersect(&b)),
                zip(|x, y| x && y),
                "intersect {va:?} {vb:?}"
            );
            assert_eq!(
                raw(&a.subtract(&b)),
                zip(|x, y| x && !y),
                "subtract {va:?} {vb:?}"
            );
            assert_eq!(raw(&b.gaps_within(&a)), zip(|x, y| x && !y));

            let (cf, ct) = (rng.range(LO, HI), rng.range(LO, HI));
            let clipped: Vec<bool> = (LO..HI).map(|t| at(&ba, t) && cf <= t && t < ct).collect();
            assert_eq!(
                raw(&a.clip(SimTime(cf), SimTime(ct))),
                from_bitmap(&clipped)
            );

            let total = naive_measure_before(&ba, HI);
            assert_eq!(a.measure(), total);
            let last_end = raw(&a).last().map(|&(_, e)| e);
            // One cursor walks forward with `t`, one jumps about with `u`.
            let (mut forward, mut jumping) = (a.measure_cursor(), a.measure_cursor());
            for t in LO - 3..HI + 3 {
                let st = SimTime(t);
                assert_eq!(a.contains(st), at(&ba, t), "contains {t} in {va:?}");
                let naive_interval = at(&ba, t).then(|| {
                    let mut s = t;
                    while at(&ba, s - 1) {
                        s -= 1;
                    }
                    let mut e = t;
                    while at(&ba, e) {
                        e += 1;
                    }
                    (SimTime(s), SimTime(e))
                });
                assert_eq!(a.interval_at(st), naive_interval);
                let naive_next = (t..HI).find(|&u| at(&ba, u)).map(SimTime);
                assert_eq!(a.next_start_at_or_after(st), naive_next);
                let naive_change = (t + 1..=HI).find(|&u| at(&ba, u) != at(&ba, t));
                assert_eq!(a.next_change_after(st), naive_change.map(SimTime));
                let mb = naive_measure_before(&ba, t);
                assert_eq!(a.measure_before(st), mb, "measure_before {t} in {va:?}");
                let u = rng.range(LO - 3, HI + 3);
                let naive_between = if u > t {
                    naive_measure_before(&ba, u) - mb
                } else {
                    0
                };
                assert_eq!(a.measure_between(st, SimTime(u)), naive_between);
                assert_eq!(forward.measure_before(st), mb, "cursor at {t} in {va:?}");
                let naive_u = naive_measure_before(&ba, u);
                assert_eq!(jumping.measure_before(SimTime(u)), naive_u, "cursor at {u}");
                assert_eq!(jumping.measure_between(st, SimTime(u)), naive_between);

                for secs in 0..6 {
                    let naive_add = if secs == 0 {
                        Some(t)
                    } else {
                        (t..=HI).find(|&u| naive_measure_before(&ba, u) - mb == secs)
                    };
                    assert_eq!(
                        a.add_open(st, secs),
                        naive_add.map(SimTime),
                        "add_open {t}+{secs} in {va:?}"
                    );
                }
            }
            for m in -1..=total + 1 {
                let naive = if m == total {
                    last_end
                } else {
                    (LO..HI).find(|&t| at(&ba, t) && naive_measure_before(&ba, t) == m)
                };
                assert_eq!(a.time_at_measure(m).map(|t| t.0), naive, "m={m} in {va:?}");
                if let Some(t) = a.time_at_measure(m) {
                    assert_eq!(a.measure_before(t), m);
                }
            }
        }
    }
}
