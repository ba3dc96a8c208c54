//! Tickets written in a preset's own export format: for round-trip tests, for
//! `covsim run --export-tickets`, and for sample exports.

use chrono::NaiveDateTime;

use super::presets::{Field, find_preset, presets};
use super::{IngestError, dates, values};
use crate::calibrate::ExportTicket;

/// Writes `tickets` as `preset`'s CSV export: its header, delimiter, date format, priority
/// words and a status column (open tickets open-like, others closed-like). A neutral subject
/// column makes the file look like the real thing; its text is the same on every row.
///
/// The update column holds the closing time, or `observed_until` for open tickets, so that
/// reading the file back gives `observed_until` as the export's end.
pub fn write_export(
    tickets: &[ExportTicket],
    observed_until: NaiveDateTime,
    preset: &str,
    w: &mut dyn std::io::Write,
) -> Result<(), IngestError> {
    let p = find_preset(preset).ok_or_else(|| IngestError::UnknownPreset {
        name: preset.to_string(),
        known: presets()
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    let csv_err = |e: csv::Error| IngestError::Write(std::io::Error::other(e));
    let mut out = csv::WriterBuilder::new()
        .delimiter(p.delimiter)
        .from_writer(w);
    // Column order of a typical export: id, subject, status, priority, category, times.
    let order = [
        Field::Id,
        Field::Status,
        Field::Priority,
        Field::Category,
        Field::Created,
        Field::FirstResponse,
        Field::Closed,
        Field::Updated,
        Field::Effort,
    ];
    let fields: Vec<Field> = order
        .into_iter()
        .filter(|f| !p.names(*f).is_empty())
        .filter(|f| *f != Field::Effort || p.effort_unit.is_some())
        .collect();
    let mut head: Vec<&str> = vec![p.names(Field::Id)[0], p.subject_column];
    head.extend(fields.iter().skip(1).map(|f| p.names(*f)[0]));
    out.write_record(&head).map_err(csv_err)?;
    let date = |t: Option<NaiveDateTime>| t.map_or(String::new(), |t| dates::format(t, p.dates));
    for t in tickets {
        let mut row: Vec<String> = Vec::with_capacity(head.len());
        for f in &fields {
            let cell = match f {
                Field::Id => t.id.clone(),
                Field::Status => if t.closed.is_some() {
                    p.status_out.1
                } else {
                    p.status_out.0
                }
                .to_string(),
                Field::Priority => p.priority_out[t.priority.index()].to_string(),
                Field::Category => t.category.clone(),
                Field::Created => date(Some(t.created)),
                Field::FirstResponse => date(t.first_response),
                Field::Closed => date(t.closed),
                Field::Updated => {
                    let last = [t.first_response, t.closed]
                        .into_iter()
                        .flatten()
                        .fold(t.created, NaiveDateTime::max);
                    date(Some(if t.closed.is_some() {
                        last
                    } else {
                        observed_until.max(last)
                    }))
                }
                Field::Effort => match (t.effort_h, p.effort_unit) {
                    (Some(h), Some(u)) => values::format_effort(h, u),
                    _ => String::new(),
                },
            };
            row.push(cell);
            if *f == Field::Id {
                row.push("Support request".to_string());
            }
        }
        out.write_record(&row).map_err(csv_err)?;
    }
    out.flush().map_err(IngestError::Write)
}
