//! Languages of the charts and the report: labels and number formats.
//!
//! Every text a reader sees goes through [`Lang::pick`] or one of the formatters here, so a
//! chart or report is either entirely English or entirely German (decimal comma, "." as the
//! thousands separator: `1.234,5`).

use std::fmt;
use std::str::FromStr;

/// Language of charts and report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English: `1,234.5`.
    #[default]
    En,
    /// German: `1.234,5`.
    De,
}

/// An unknown language code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}; use \"en\" or \"de\"")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "de" => Ok(Lang::De),
            _ => Err(UnknownLang(s.to_string())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Lang {
    /// `"en"` or `"de"` (also the HTML `lang` attribute).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The English or the German text.
    pub fn pick<'a>(self, en: &'a str, de: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::De => de,
        }
    }

    /// Decimal separator.
    fn decimal(self) -> char {
        match self {
            Lang::En => '.',
            Lang::De => ',',
        }
    }

    /// Thousands separator.
    fn thousands(self) -> char {
        match self {
            Lang::En => ',',
            Lang::De => '.',
        }
    }

    /// `x` with `decimals` digits after the decimal separator and thousands separators
    /// (`1,234.5` / `1.234,5`); "−" (U+2212) for negative numbers, "∞" for infinity, "–" for NaN.
    pub fn num(self, x: f64, decimals: usize) -> String {
        if x.is_nan() {
            return "–".into();
        }
        if x.is_infinite() {
            return if x > 0.0 {
                "∞".into()
            } else {
                "−∞".into()
            };
        }
        let s = format!("{:.*}", decimals, x.abs());
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let mut out = String::new();
        let negative = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
        if negative {
            out.push('−');
        }
        let digits = int.len();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (digits - i) % 3 == 0 {
                out.push(self.thousands());
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push(self.decimal());
            out.push_str(frac);
        }
        out
    }

    /// Like [`Lang::num`] with an explicit sign ("+12" / "−12" / "0").
    pub fn signed(self, x: f64, decimals: usize) -> String {
        let s = self.num(x, decimals);
        if x > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
            format!("+{s}")
        } else {
            s
        }
    }

    /// A share (0–1) as a percentage: `97.5 %` / `97,5 %` (with a narrow no-break space).
    pub fn pct(self, share: f64, decimals: usize) -> String {
        format!("{}\u{202f}%", self.num(share * 100.0, decimals))
    }

    /// Short month name, `month` 1–12.
    pub fn month(self, month: u32) -> &'static str {
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        const DE: [&str; 12] = [
            "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
        ];
        let i = (month.clamp(1, 12) - 1) as usize;
        match self {
            Lang::En => EN[i],
            Lang::De => DE[i],
        }
    }

    /// Label and unit of a metric of `engine::catalog` (unit may be empty); unknown metrics
    /// keep their name.
    pub fn metric(self, name: &str) -> (String, &'static str) {
        let (en, de, unit_en, unit_de) = match name {
            "user_hours_lost" => (
                "User-hours lost per year",
                "Verlorene Arbeitsstunden pro Jahr",
                "h",
                "h",
            ),
            "outage_bh" => (
                "Business-wide outage per year",
                "Betriebsweiter Ausfall pro Jahr",
                "business h",
                "Geschäftsstd.",
            ),
            "backlog_max" => ("Largest backlog", "Größter Rückstau", "tickets", "Tickets"),
            "response_p1_p95_bh" => (
                "P1 response time, 95th percentile",
                "P1-Reaktionszeit, 95. Perzentil",
                "business h",
                "Geschäftsstd.",
            ),
            "resolution_p2_p95_bh" => (
                "P2 resolution time, 95th percentile",
                "P2-Lösungszeit, 95. Perzentil",
                "business h",
                "Geschäftsstd.",
            ),
            "coverage_share" => (
                "Business hours covered",
                "Abgedeckte Geschäftszeit",
                "%",
                "%",
            ),
            "uncovered_bh" => (
                "Time with nobody qualified per year",
                "Zeit ohne qualifizierte Person pro Jahr",
                "business h",
                "Geschäftsstd.",
            ),
            "longest_gap_days" => (
                "Longest stretch with nobody qualified",
                "Längste Zeit ohne qualifizierte Person",
                "days",
                "Tage",
            ),
            "cost_it_eur" => (
                "IT cost per year (staff, MSP, help)",
                "IT-Kosten pro Jahr (Personal, MSP, Hilfe)",
                "€",
                "€",
            ),
            "cost_downtime_eur" => ("Downtime cost per year", "Ausfallkosten pro Jahr", "€", "€"),
            "cost_total_eur" => (
                "Total cost per year incl. downtime",
                "Gesamtkosten pro Jahr inkl. Ausfall",
                "€",
                "€",
            ),
            "cost_per_pc_month_eur" => (
                "Total cost per PC and month",
                "Gesamtkosten pro PC und Monat",
                "€",
                "€",
            ),
            "knowledge_blocked" => (
                "Knowledge-blocked tickets",
                "Tickets ohne nötiges Systemwissen",
                "tickets",
                "Tickets",
            ),
            "emergency_calls" => (
                "Emergency calls per year",
                "Notfalleinsätze pro Jahr",
                "calls",
                "Einsätze",
            ),
            "resolution_p2_within_sla_share" => {
                ("P2 resolved within SLA", "P2 im SLA gelöst", "%", "%")
            }
            _ => return (name.to_string(), ""),
        };
        (self.pick(en, de).to_string(), self.pick(unit_en, unit_de))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_both_languages() {
        assert_eq!(Lang::En.num(1234.5, 1), "1,234.5");
        assert_eq!(Lang::De.num(1234.5, 1), "1.234,5");
        assert_eq!(Lang::De.num(-1234567.0, 0), "−1.234.567");
        assert_eq!(Lang::En.num(999.96, 1), "1,000.0");
        assert_eq!(Lang::En.num(12.0, 0), "12");
        assert_eq!(Lang::En.num(-0.01, 1), "0.0");
        assert_eq!(Lang::De.signed(3.26, 1), "+3,3");
        assert_eq!(Lang::De.pct(0.975, 1), "97,5\u{202f}%");
        assert_eq!("DE".parse::<Lang>(), Ok(Lang::De));
        assert!("fr".parse::<Lang>().is_err());
    }
}
