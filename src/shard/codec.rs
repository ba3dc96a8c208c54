//! `data.bin`: a shard's results, in a compact binary form that reads back bit for bit.
//!
//! One zlib stream (RFC 1950) of little-endian fields:
//!
//! ```text
//! "CVSH" u32:version u32:parts
//! per part (the run; a point of a sweep; a run of a sensitivity analysis):
//!   u32:setups
//!   per setup:
//!     u32:name_len name(UTF-8)
//!     u32:metrics u32×metrics:catalog index
//!     u64:replications
//!     per metric: f64×replications        (per-replication values, in replication order)
//!     u8:aggregates (1 for a run, 0 otherwise); if 1:
//!       u64:replications  u32:days
//!       per day: u32:nobody u64:open_p1 u32:len u32×len:backlog counts
//!       8 × (u32:len u64×len)               (time histograms: response P1–P4, resolution P1–P4)
//!       2 × (u32:len u64×len)               (episode histograms: business hours, days)
//! "END."
//! ```
//!
//! Values are stored as their IEEE bits, so a merge computes from exactly the numbers a single
//! run holds. Per metric (column-major), because a column's values resemble each other and
//! compress better.

use std::io::{self, Read, Write};

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;

use crate::engine::{EpisodeHistogram, TimeHistogram, catalog};
use crate::montecarlo::{DailyStats, Experiment, SetupResults};

const MAGIC: &[u8; 4] = b"CVSH";
const TRAILER: &[u8; 4] = b"END.";

/// Which metrics a shard of `command` holds, and whether the daily series and histograms:
/// a run needs everything its folder shows; a sweep its headline metrics; a sensitivity
/// analysis the metrics of its tornado charts. `None` for an unknown command.
pub fn layout(command: &str) -> Option<(Vec<usize>, bool)> {
    match command {
        "run" => Some(((0..catalog().len()).collect(), true)),
        "sweep" => Some((crate::sweep::headline_metrics(), false)),
        "sensitivity" => Some((crate::sweep::sensitivity_metric_indexes(), false)),
        _ => None,
    }
}

fn u32_of(n: usize) -> [u8; 4] {
    u32::try_from(n).expect("lengths fit in u32").to_le_bytes()
}

/// Writes `parts` (their `metrics`, and the aggregates if `aggregates`) compressed to `out`.
pub fn encode(
    parts: &[Experiment],
    metrics: &[usize],
    aggregates: bool,
    out: impl Write,
) -> io::Result<()> {
    // Level 6: within a few percent of the best ratio on these data at a fraction of the time.
    // Buffered: the fields are written a few bytes at a time, each a call into deflate.
    let mut w = io::BufWriter::with_capacity(1 << 16, ZlibEncoder::new(out, Compression::new(6)));
    w.write_all(MAGIC)?;
    w.write_all(&super::FORMAT_VERSION.to_le_bytes())?;
    w.write_all(&u32_of(parts.len()))?;
    for part in parts {
        w.write_all(&u32_of(part.setups.len()))?;
        for s in &part.setups {
            w.write_all(&u32_of(s.name.len()))?;
            w.write_all(s.name.as_bytes())?;
            w.write_all(&u32_of(metrics.len()))?;
            for &m in metrics {
                w.write_all(&u32_of(m))?;
            }
            w.write_all(&part.count.to_le_bytes())?;
            for &m in metrics {
                let mut buf = Vec::with_capacity(s.values[m].len() * 8);
                for v in &s.values[m] {
                    buf.extend_from_slice(&v.to_le_bytes());
                }
                w.write_all(&buf)?;
            }
            w.write_all(&[u8::from(aggregates)])?;
            if aggregates {
                write_aggregates(&mut w, s)?;
            }
        }
    }
    w.write_all(TRAILER)?;
    w.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .finish()?
        .flush()
}

fn write_aggregates(w: &mut impl Write, s: &SetupResults) -> io::Result<()> {
    let d = &s.daily;
    w.write_all(&d.replications.to_le_bytes())?;
    w.write_all(&u32_of(d.backlog_counts.len()))?;
    for (day, counts) in d.backlog_counts.iter().enumerate() {
        w.write_all(&d.nobody_count[day].to_le_bytes())?;
        w.write_all(&d.open_p1_sum[day].to_le_bytes())?;
        w.write_all(&u32_of(counts.len()))?;
        for c in counts {
            w.write_all(&c.to_le_bytes())?;
        }
    }
    for hist in s.times.iter().flatten().chain(&s.episodes) {
        w.write_all(&u32_of(hist.len()))?;
        for c in hist {
            w.write_all(&c.to_le_bytes())?;
        }
    }
    Ok(())
}

/// Reads `data.bin` bytes; every length is checked before anything is allocated for it, so a
/// corrupted file gives an error, never a panic or a huge allocation.
struct In<R: Read>(R);

impl<R: Read> In<R> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut b = [0; N];
        self.0.read_exact(&mut b).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => "it ends early".to_string(),
            _ => format!("it cannot be decompressed ({e})"),
        })?;
        Ok(b)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.bytes::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }
    /// A length of at most `max`.
    fn len(&mut self, what: &str, max: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n > max {
            return Err(format!(
                "it records {n} {what}, more than the {max} possible"
            ));
        }
        Ok(n)
    }
    fn u64s(&mut self, out: &mut [u64]) -> Result<(), String> {
        for x in out {
            *x = self.u64()?;
        }
        Ok(())
    }
}

/// The most days a replication can have: 100 years (the scenario's limit is lower).
const MAX_DAYS: usize = 36_600;
/// The most open tickets recorded at the end of a day.
const MAX_BACKLOG: usize = 50_000_000;

/// Decodes a shard's `data.bin` from `input`, appending its replications to `parts` (an empty
/// `parts` takes the shard's parts as they are). Every part must hold `replications`
/// replications of the `metrics` (and the aggregates if `aggregates`), and its setups must be
/// those of `parts`. The error says what is wrong with the data.
pub fn decode_into(
    input: impl Read,
    parts: &mut Vec<Experiment>,
    first: u64,
    replications: u64,
    metrics: &[usize],
    aggregates: bool,
) -> Result<(), String> {
    // Buffered: the fields are read a few bytes at a time, each a call into inflate.
    let mut r = In(io::BufReader::with_capacity(
        1 << 16,
        ZlibDecoder::new(input),
    ));
    if &r.bytes::<4>()? != MAGIC {
        return Err("it does not start like a covsim shard's data".into());
    }
    let version = r.u32()?;
    if version != super::FORMAT_VERSION {
        return Err(format!(
            "its data format version is {version}, this covsim reads version {}",
            super::FORMAT_VERSION
        ));
    }
    let count = r.u32()? as usize;
    let fresh = parts.is_empty();
    if !fresh && count != parts.len() {
        return Err(format!(
            "it has {count} parts, the other shards {}",
            parts.len()
        ));
    }
    if count > crate::sweep::MAX_POINTS.max(10_000) {
        return Err(format!("it records {count} parts, more than possible"));
    }
    for p in 0..count {
        let setups = r.len("setups", 10_000)?;
        if fresh {
            parts.push(Experiment {
                first,
                count: 0,
                setups: Vec::with_capacity(setups),
            });
        }
        let part = &mut parts[p];
        if !fresh && setups != part.setups.len() {
            return Err(format!(
                "part {p} has {setups} setups, the other shards {}",
                part.setups.len()
            ));
        }
        for s in 0..setups {
            let name_len = r.len("bytes of a setup name", 1 << 16)?;
            let mut name = vec![0; name_len];
            r.0.read_exact(&mut name)
                .map_err(|_| "it ends early".to_string())?;
            let name = String::from_utf8(name).map_err(|_| "a setup name is not UTF-8")?;
            if fresh {
                part.setups.push(empty_setup(name));
            } else if part.setups[s].name != name {
                return Err(format!(
                    "part {p} has setup '{name}' where the other shards have '{}'",
                    part.setups[s].name
                ));
            }
            let setup = &mut part.setups[s];
            let m = r.len("metrics", catalog().len())?;
            let mut listed = Vec::with_capacity(m);
            for _ in 0..m {
                listed.push(r.u32()? as usize);
            }
            if listed != metrics {
                return Err("its metrics are not those of its command".into());
            }
            let reps = r.u64()?;
            if reps != replications {
                return Err(format!(
                    "part {p} holds {reps} replications, shard.json says {replications}"
                ));
            }
            for &m in metrics {
                let column = &mut setup.values[m];
                column.reserve(reps as usize);
                for _ in 0..reps {
                    column.push(f64::from_le_bytes(r.bytes()?));
                }
            }
            let has = r.u8()?;
            if has != u8::from(aggregates) {
                return Err("its daily series and histograms are not those of its command".into());
            }
            if aggregates {
                read_aggregates(&mut r, setup, reps)?;
            }
        }
        part.count += replications;
    }
    if &r.bytes::<4>()? != TRAILER {
        return Err("it does not end where its contents say".into());
    }
    let mut rest = [0u8; 1];
    match r.0.read(&mut rest) {
        Ok(0) => Ok(()),
        Ok(_) => Err("it goes on past its end".into()),
        Err(e) => Err(format!("it cannot be decompressed ({e})")),
    }
}

fn empty_setup(name: String) -> SetupResults {
    SetupResults {
        name,
        values: vec![Vec::new(); catalog().len()],
        daily: DailyStats::default(),
        times: std::array::from_fn(|_| std::array::from_fn(|_| vec![0; TimeHistogram::BINS])),
        episodes: [
            vec![0; EpisodeHistogram::BUSINESS_H.len() + 1],
            vec![0; EpisodeHistogram::DAYS.len() + 1],
        ],
    }
}

/// Adds a shard's daily counts and histograms to `setup`: integer sums, exact in any order,
/// and each vector as long as the longest, as a single run's is.
fn read_aggregates<R: Read>(
    r: &mut In<R>,
    setup: &mut SetupResults,
    reps: u64,
) -> Result<(), String> {
    let d = &mut setup.daily;
    let daily_reps = r.u64()?;
    if daily_reps != reps {
        return Err(format!(
            "its daily series counts {daily_reps} replications, not {reps}"
        ));
    }
    d.replications += daily_reps;
    let days = r.len("days", MAX_DAYS)?;
    if d.backlog_counts.len() < days {
        d.backlog_counts.resize(days, Vec::new());
        d.nobody_count.resize(days, 0);
        d.open_p1_sum.resize(days, 0);
    }
    for day in 0..days {
        d.nobody_count[day] += r.u32()?;
        d.open_p1_sum[day] += r.u64()?;
        let len = r.len("backlog levels", MAX_BACKLOG)?;
        let counts = &mut d.backlog_counts[day];
        if counts.len() < len {
            counts.resize(len, 0);
        }
        for c in counts.iter_mut().take(len) {
            *c += r.u32()?;
        }
    }
    for hist in setup.times.iter_mut().flatten().chain(&mut setup.episodes) {
        let len = r.len("histogram bins", hist.len())?;
        if len != hist.len() {
            return Err(format!(
                "a histogram has {len} bins, this covsim {}",
                hist.len()
            ));
        }
        let mut add = vec![0u64; len];
        r.u64s(&mut add)?;
        for (s, a) in hist.iter_mut().zip(add) {
            *s += a;
        }
    }
    Ok(())
}
