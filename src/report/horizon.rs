//! What one replication covers, in words, for every label that speaks of "a year".
//!
//! A replication measures `simulation.years` consecutive calendar years. Per-year figures are
//! averages over them (a 3-year replication with 900 user-hours lost reports 300 a year), but
//! the distribution across replications is a distribution of *N-year periods*: its P95 is "a
//! bad 3-year period" (averaged per year), not "a bad year", and a longest gap or a largest
//! backlog is the one of the whole period. Labels say so instead of pretending a replication is
//! a year; with the default of one year nothing changes.

use super::i18n::Lang;

/// The measured span of one replication, for labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Horizon {
    years: u64,
}

impl Horizon {
    /// A replication of `years` measured years (at least one).
    pub fn new(years: u64) -> Horizon {
        Horizon {
            years: years.max(1),
        }
    }

    /// Measured years of one replication.
    pub fn years(self) -> u64 {
        self.years
    }

    /// Whether a replication is one year, so "a year" is what it is.
    pub fn is_year(self) -> bool {
        self.years == 1
    }

    /// The unit of the distribution: "year" or "3-year period".
    pub fn unit(self, l: Lang) -> String {
        match (self.is_year(), l) {
            (true, Lang::En) => "year".into(),
            (true, Lang::De) => "Jahr".into(),
            (false, Lang::En) => format!("{}-year period", self.years),
            (false, Lang::De) => format!("{}-Jahres-Zeitraum", self.years),
        }
    }

    /// Its plural: "years" or "3-year periods".
    pub fn units(self, l: Lang) -> String {
        match (self.is_year(), l) {
            (true, Lang::En) => "years".into(),
            (true, Lang::De) => "Jahre".into(),
            (false, Lang::En) => format!("{}-year periods", self.years),
            (false, Lang::De) => format!("{}-Jahres-Zeiträume", self.years),
        }
    }

    /// "a bad year" or "a bad 3-year period" (German nominative).
    pub fn bad(self, l: Lang) -> String {
        match (self.is_year(), l) {
            (true, Lang::En) => "a bad year".into(),
            (true, Lang::De) => "ein schlechtes Jahr".into(),
            (false, Lang::En) => format!("a bad {}-year period", self.years),
            (false, Lang::De) => format!("ein schlechter {}-Jahres-Zeitraum", self.years),
        }
    }

    /// "in a bad year" or "in a bad 3-year period".
    pub fn in_bad(self, l: Lang) -> String {
        match l {
            Lang::En => format!("in {}", self.bad(l)),
            Lang::De => format!("in einem schlechten {}", self.unit(l)),
        }
    }

    /// "1 year in 20" or "one 3-year period in 20" (digits side by side would read as one number).
    pub fn one_in(self, l: Lang, k: u32) -> String {
        match (self.is_year(), l) {
            (true, Lang::En) => format!("1 year in {k}"),
            (true, Lang::De) => format!("1 Jahr von {k}"),
            (false, Lang::En) => format!("one {}-year period in {k}", self.years),
            (false, Lang::De) => format!("1 Zeitraum von {k}"),
        }
    }

    /// "in one year out of twenty" or "in one 3-year period out of twenty" (`k` in words).
    pub fn in_one_out_of(self, l: Lang, k_en: &str, k_de: &str) -> String {
        match (self.is_year(), l) {
            (true, Lang::En) => format!("in one year out of {k_en}"),
            (true, Lang::De) => format!("in einem von {k_de} Jahren"),
            (false, Lang::En) => format!("in one {} out of {k_en}", self.unit(l)),
            (false, Lang::De) => format!("in einem von {k_de} {}-Jahres-Zeiträumen", self.years),
        }
    }

    /// For a multi-year replication, one sentence on what its figures mean; `None` for a year.
    pub fn note(self, l: Lang) -> Option<String> {
        if self.is_year() {
            return None;
        }
        let n = self.years;
        Some(match l {
            Lang::En => format!(
                "Each replication simulates {n} consecutive years: figures \"per year\" are \
                 averages over its {n} years; percentiles, exceedance chances, maxima and the \
                 longest stretch with nobody are those of {n}-year periods."
            ),
            Lang::De => format!(
                "Jede Replikation simuliert {n} aufeinanderfolgende Jahre: Werte „pro Jahr“ \
                 sind Mittel über ihre {n} Jahre; Perzentile, Überschreitungswahrscheinlichkeiten, \
                 Höchstwerte und die längste Zeit ohne qualifizierte Person gelten für \
                 {n}-Jahres-Zeiträume."
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_year_reads_as_before() {
        let h = Horizon::new(1);
        assert_eq!(h.bad(Lang::En), "a bad year");
        assert_eq!(h.in_bad(Lang::De), "in einem schlechten Jahr");
        assert_eq!(h.one_in(Lang::En, 20), "1 year in 20");
        assert!(h.note(Lang::En).is_none());
    }

    #[test]
    fn several_years_read_as_periods() {
        let h = Horizon::new(3);
        assert_eq!(h.bad(Lang::En), "a bad 3-year period");
        assert_eq!(h.in_bad(Lang::De), "in einem schlechten 3-Jahres-Zeitraum");
        assert_eq!(h.one_in(Lang::En, 20), "one 3-year period in 20");
        assert_eq!(h.units(Lang::En), "3-year periods");
        assert_eq!(
            h.in_one_out_of(Lang::De, "twenty", "zwanzig"),
            "in einem von zwanzig 3-Jahres-Zeiträumen"
        );
        assert!(
            h.note(Lang::De)
                .unwrap()
                .contains("3 aufeinanderfolgende Jahre")
        );
    }
}
