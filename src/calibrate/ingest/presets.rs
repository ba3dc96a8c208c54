//! The ticket systems covsim knows by their export's column names and value formats.
//!
//! Each preset cites where its names come from: the system's own source code where it is open
//! (Zammad, Znuny, osTicket, GLPI), otherwise the vendor's documentation of its export or API.
//! Column names are matched ignoring case, spaces and punctuation, so `Created At`,
//! `created_at` and `CREATED AT` are the same column.

use crate::model::Priority;

/// A field of a ticket that ingest can read; every other column is never read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The ticket's id or number (duplicates and event logs are found by it).
    Id,
    /// Creation time.
    Created,
    /// First response time.
    FirstResponse,
    /// Resolution or closing time.
    Closed,
    /// Priority (words, codes or numbers).
    Priority,
    /// Category, queue, group or type.
    Category,
    /// Status, to tell open from closed and to drop merged, spam, cancelled and deleted tickets.
    Status,
    /// Time worked on the ticket.
    Effort,
    /// Last change of the row: orders the rows of an event log.
    Updated,
}

impl Field {
    /// Every field, in the order of `--map` documentation and of [`Field::index`].
    pub const ALL: [Field; 9] = [
        Field::Id,
        Field::Created,
        Field::FirstResponse,
        Field::Closed,
        Field::Priority,
        Field::Category,
        Field::Status,
        Field::Effort,
        Field::Updated,
    ];

    /// The name used in `--map FIELD=COLUMN` and in reports.
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Created => "created",
            Field::FirstResponse => "first_response",
            Field::Closed => "closed",
            Field::Priority => "priority",
            Field::Category => "category",
            Field::Status => "status",
            Field::Effort => "effort",
            Field::Updated => "updated",
        }
    }

    /// Position in [`Field::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The field named `key` (as in `--map`), if any.
    pub fn from_key(key: &str) -> Option<Field> {
        let k = key.trim().to_ascii_lowercase().replace('-', "_");
        Field::ALL.into_iter().find(|f| f.key() == k)
    }
}

/// What a status value means for calibration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    /// Still open at export time (right-censored).
    Open,
    /// Resolved or closed.
    Closed,
    /// Not a real ticket of its own: excluded and counted under this reason
    /// (`"merged"`, `"spam"`, `"cancelled"`, `"deleted"`).
    Excluded(&'static str),
}

/// How a preset writes date-times (reading accepts every supported format).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateStyle {
    /// `2025-12-31 17:05:00`, local time.
    IsoSpace,
    /// `2025-12-31 17:05`, local time.
    IsoMinutes,
    /// `31.12.2025 17:05`, local time (German Excel).
    German,
    /// `12/31/2025 5:05 PM`, local time (US, month first).
    UsAmPm,
    /// `31/Dec/25 5:05 PM`, local time (Jira's default).
    JiraShort,
    /// `2025-12-31T16:05:00Z`, UTC (converted to the site's local time on reading).
    IsoUtc,
}

impl DateStyle {
    /// An example of the style, for help texts.
    pub fn example(self) -> &'static str {
        match self {
            DateStyle::IsoSpace => "2025-12-31 17:05:00",
            DateStyle::IsoMinutes => "2025-12-31 17:05",
            DateStyle::German => "31.12.2025 17:05",
            DateStyle::UsAmPm => "12/31/2025 5:05 PM",
            DateStyle::JiraShort => "31/Dec/25 5:05 PM",
            DateStyle::IsoUtc => "2025-12-31T16:05:00Z",
        }
    }

    /// `true` where `a/b/yyyy` means month/day.
    pub fn month_first(self) -> bool {
        matches!(self, DateStyle::UsAmPm)
    }
}

/// Unit of a time-worked column holding plain numbers (`h:mm` is always read as hours and
/// minutes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffortUnit {
    /// Minutes.
    Minutes,
    /// Seconds.
    Seconds,
    /// Hours.
    Hours,
    /// `h:mm` text.
    HoursMinutes,
}

impl EffortUnit {
    /// For help texts.
    pub fn label(self) -> &'static str {
        match self {
            EffortUnit::Minutes => "minutes",
            EffortUnit::Seconds => "seconds",
            EffortUnit::Hours => "hours",
            EffortUnit::HoursMinutes => "h:mm",
        }
    }
}

/// Column names and value formats of one ticket system's export.
#[derive(Debug)]
pub struct Preset {
    /// Name for `--preset` (lower case).
    pub name: &'static str,
    /// The system and the export it reads.
    pub system: &'static str,
    /// Where the names and values come from.
    pub source: &'static str,
    /// `(field, column names)`: the first name found in the header is read; the first name is
    /// the one written.
    pub columns: &'static [(Field, &'static [&'static str])],
    /// A neutral free-text column written by [`super::write_export`] so files look real; never
    /// read.
    pub subject_column: &'static str,
    /// Field delimiter it writes (reading sniffs it).
    pub delimiter: u8,
    /// Date-time format it writes; also decides whether `a/b/yyyy` is month first.
    pub dates: DateStyle,
    /// Its own priority values (lower case), checked before the generic words.
    pub priorities: &'static [(&'static str, Priority)],
    /// Its numeric priority scale, for cells holding only a number.
    pub priority_numbers: &'static [(i64, Priority)],
    /// The values written for P1–P4.
    pub priority_out: [&'static str; 4],
    /// Its own status values (lower case), checked before the generic words.
    pub statuses: &'static [(&'static str, StatusKind)],
    /// The values written for open and closed tickets.
    pub status_out: (&'static str, &'static str),
    /// Unit of its time-worked column, if it has one.
    pub effort_unit: Option<EffortUnit>,
    /// What the user should know (shown by `--list-presets`).
    pub remark: &'static str,
}

impl Preset {
    /// The column names looked for `field` (empty if the preset has none).
    pub fn names(&self, field: Field) -> &'static [&'static str] {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(&[], |(_, n)| n)
    }
}

use Priority::{P1, P2, P3, P4};
use StatusKind::{Closed, Excluded, Open};

const ZAMMAD: Preset = Preset {
    // Columns: zammad/zammad lib/excel_sheet/ticket.rb (`ticket_header`, the reporting
    // export). Priorities: db/seeds/ticket_priorities.rb ("1 low", "2 normal", "3 high").
    // States: db/seeds/ticket_states.rb (new, open, pending reminder, closed, merged, removed,
    // pending close).
    name: "zammad",
    system: "Zammad (Reporting → Download: ticket list; XLSX, or CSV saved from Excel)",
    source: "zammad/zammad lib/excel_sheet/ticket.rb, db/seeds/ticket_priorities.rb, db/seeds/ticket_states.rb",
    columns: &[
        (Field::Id, &["#", "Number"]),
        (Field::Created, &["Created At"]),
        (Field::FirstResponse, &["First Response At"]),
        (Field::Closed, &["Closed At"]),
        (Field::Priority, &["Priority"]),
        (Field::Category, &["Group"]),
        (Field::Status, &["State"]),
        (Field::Effort, &["Time Units Total"]),
        (Field::Updated, &["Updated At"]),
    ],
    subject_column: "Title",
    delimiter: b';',
    dates: DateStyle::German,
    priorities: &[
        ("1 low", P4),
        ("2 normal", P3),
        ("3 high", P2),
        ("4 critical", P1),
    ],
    priority_numbers: &[(1, P4), (2, P3), (3, P2), (4, P1)],
    priority_out: ["4 critical", "3 high", "2 normal", "1 low"],
    statuses: &[
        ("new", Open),
        ("open", Open),
        ("pending reminder", Open),
        ("pending close", Open),
        ("closed", Closed),
        ("merged", Excluded("merged")),
        ("removed", Excluded("deleted")),
    ],
    status_out: ("open", "closed"),
    effort_unit: Some(EffortUnit::Minutes),
    remark: "Zammad ships three priorities (1 low, 2 normal, 3 high → P4, P3, P2); P1 needs a \
             fourth one (\"4 critical\" is read and written) or --priority-map. Time units are \
             read as minutes.",
};

const ZNUNY: Preset = Preset {
    // Columns: znuny/Znuny Kernel/Modules/AgentTicketSearch.pm (CSV head: the
    // SearchCSVData keys, with TicketNumber → "Ticket Number"; the separator comes from the
    // language, ";" in German) and Kernel/Config/Files/XML/Ticket.xml
    // (Ticket::Frontend::AgentTicketSearch###SearchCSVData: TicketNumber, Age, Created,
    // Closed, FirstLock, FirstResponse, State, Priority, Queue, …, AccountedTime).
    // Priorities and states: the initial data of Znuny/OTRS ("1 very low" … "5 very high";
    // closed successful/unsuccessful, merged, removed, pending …).
    name: "znuny",
    system: "Znuny / OTRS (agent ticket search, output format CSV)",
    source: "znuny/Znuny Kernel/Modules/AgentTicketSearch.pm, Kernel/Config/Files/XML/Ticket.xml (SearchCSVData)",
    columns: &[
        (
            Field::Id,
            &["Ticket Number", "TicketNumber", "Ticket#", "Ticketnummer"],
        ),
        (Field::Created, &["Created", "Erstellt"]),
        (
            Field::FirstResponse,
            &["FirstResponse", "First Response", "Erste Reaktion"],
        ),
        (Field::Closed, &["Closed", "Geschlossen"]),
        (Field::Priority, &["Priority", "Priorität"]),
        (Field::Category, &["Queue"]),
        (Field::Status, &["State", "Status"]),
        (
            Field::Effort,
            &["AccountedTime", "Accounted Time", "Erfasste Zeit"],
        ),
        (Field::Updated, &["Changed", "Geändert"]),
    ],
    subject_column: "Subject",
    delimiter: b';',
    dates: DateStyle::IsoSpace,
    priorities: &[
        ("1 very low", P4),
        ("2 low", P4),
        ("3 normal", P3),
        ("4 high", P2),
        ("5 very high", P1),
        ("1 sehr niedrig", P4),
        ("2 niedrig", P4),
        ("3 normal", P3),
        ("4 hoch", P2),
        ("5 sehr hoch", P1),
    ],
    priority_numbers: &[(1, P4), (2, P4), (3, P3), (4, P2), (5, P1)],
    priority_out: ["5 very high", "4 high", "3 normal", "2 low"],
    statuses: &[
        ("new", Open),
        ("open", Open),
        ("pending reminder", Open),
        ("pending auto close+", Open),
        ("pending auto close-", Open),
        ("closed successful", Closed),
        ("closed unsuccessful", Closed),
        ("merged", Excluded("merged")),
        ("removed", Excluded("deleted")),
    ],
    status_out: ("open", "closed successful"),
    effort_unit: Some(EffortUnit::Minutes),
    remark: "AccountedTime is read as minutes (Znuny's default time unit).",
};

const OSTICKET: Preset = Preset {
    // Columns: osTicket/osTicket include/class.queue.php (`getExportableFields`: Ticket
    // Number, Date Created, Subject, From, From Email, Priority, Department, Help Topic,
    // Source, Current Status, Last Updated, SLA Due Date, Due Date, Closed Date, …).
    // Priorities: the installer's ticket_priority rows (Low, Normal, High, Emergency).
    // Statuses: the default ticket statuses (Open, Resolved, Closed, Archived, Deleted).
    // Dates: osTicket's default date-time format "m/d/Y g:i a".
    name: "osticket",
    system: "osTicket (Tickets → Export, CSV)",
    source: "osTicket/osTicket include/class.queue.php (getExportableFields), include/class.export.php",
    columns: &[
        (Field::Id, &["Ticket Number"]),
        (Field::Created, &["Date Created"]),
        (Field::Closed, &["Closed Date"]),
        (Field::Priority, &["Priority"]),
        (Field::Category, &["Help Topic", "Department"]),
        (Field::Status, &["Current Status"]),
        (Field::Updated, &["Last Updated"]),
    ],
    subject_column: "Subject",
    delimiter: b',',
    dates: DateStyle::UsAmPm,
    priorities: &[("low", P4), ("normal", P3), ("high", P2), ("emergency", P1)],
    priority_numbers: &[(1, P4), (2, P3), (3, P2), (4, P1)],
    priority_out: ["Emergency", "High", "Normal", "Low"],
    statuses: &[
        ("open", Open),
        ("resolved", Closed),
        ("closed", Closed),
        ("archived", Closed),
        ("deleted", Excluded("deleted")),
    ],
    status_out: ("Open", "Closed"),
    effort_unit: None,
    remark: "osTicket has no first-response or time-worked column in its export; efforts are \
             then estimated from resolution times (an upper bound).",
};

const GLPI: Preset = Preset {
    // Columns: glpi-project/glpi src/CommonITILObject.php and src/Ticket.php
    // (rawSearchOptions: 2 ID, 1 Title, 12 Status, 15 Opening date, 16 Closing date,
    // 17 Resolution date, 19 Last update, 3 Priority, 7 Category). Priorities:
    // CommonITILObject::getPriorityName (1 Very low … 5 Very high, 6 Major). Statuses:
    // CommonITILObject::getAllStatusArray (New, Processing (assigned), Processing (planned),
    // Pending, Solved, Closed). CSV export separator: ";" (GLPI's csv_delimiter default).
    name: "glpi",
    system: "GLPI (Assistance → Tickets, search result exported as CSV)",
    source: "glpi-project/glpi src/CommonITILObject.php, src/Ticket.php (rawSearchOptions)",
    columns: &[
        (Field::Id, &["ID"]),
        (Field::Created, &["Opening date", "Date d'ouverture"]),
        (Field::Closed, &["Resolution date", "Closing date"]),
        (Field::Priority, &["Priority"]),
        (Field::Category, &["Category"]),
        (Field::Status, &["Status"]),
        (Field::Updated, &["Last update"]),
    ],
    subject_column: "Title",
    delimiter: b';',
    dates: DateStyle::IsoMinutes,
    priorities: &[
        ("major", P1),
        ("very high", P1),
        ("high", P2),
        ("medium", P3),
        ("low", P4),
        ("very low", P4),
    ],
    priority_numbers: &[(1, P4), (2, P4), (3, P3), (4, P2), (5, P1), (6, P1)],
    priority_out: ["Very high", "High", "Medium", "Low"],
    statuses: &[
        ("new", Open),
        ("processing (assigned)", Open),
        ("processing (planned)", Open),
        ("pending", Open),
        ("solved", Closed),
        ("closed", Closed),
    ],
    status_out: ("Processing (assigned)", "Solved"),
    effort_unit: None,
    remark: "The resolution date (Solved) ends a ticket, not the later closing date when both \
             are exported. Date format as in the user's GLPI preferences: YYYY-MM-DD is \
             written; DD-MM-YYYY is read too.",
};

const JIRA: Preset = Preset {
    // Columns: Jira's "Export → CSV (all fields)" of an issue search (Atlassian support,
    // "Export your issues"): Issue key, Summary, Issue Type, Status, Priority, Resolution,
    // Created, Updated, Resolved, Component/s, Time Spent (seconds), custom fields as
    // "Custom field (Request Type)". Dates in the user's format, default "dd/MMM/yy h:mm a".
    // Priorities: Jira's defaults Highest, High, Medium, Low, Lowest.
    name: "jira",
    system: "Jira Service Management (issue search → Export → CSV (all fields))",
    source: "Atlassian documentation: Export your issues (CSV), default priorities and date format",
    columns: &[
        (Field::Id, &["Issue key", "Key"]),
        (Field::Created, &["Created"]),
        (Field::Closed, &["Resolved"]),
        (Field::Priority, &["Priority"]),
        (
            Field::Category,
            &[
                "Custom field (Request Type)",
                "Request Type",
                "Component/s",
                "Issue Type",
            ],
        ),
        (Field::Status, &["Status"]),
        (Field::Effort, &["Time Spent"]),
        (Field::Updated, &["Updated"]),
    ],
    subject_column: "Summary",
    delimiter: b',',
    dates: DateStyle::JiraShort,
    priorities: &[
        ("highest", P1),
        ("high", P2),
        ("medium", P3),
        ("low", P4),
        ("lowest", P4),
    ],
    priority_numbers: &[(1, P1), (2, P2), (3, P3), (4, P4), (5, P4)],
    priority_out: ["Highest", "High", "Medium", "Low"],
    statuses: &[
        ("open", Open),
        ("waiting for support", Open),
        ("waiting for customer", Open),
        ("in progress", Open),
        ("work in progress", Open),
        ("pending", Open),
        ("escalated", Open),
        ("resolved", Closed),
        ("closed", Closed),
        ("done", Closed),
        ("completed", Closed),
        ("declined", Closed),
        ("canceled", Excluded("cancelled")),
        ("cancelled", Excluded("cancelled")),
    ],
    status_out: ("Waiting for support", "Resolved"),
    effort_unit: Some(EffortUnit::Seconds),
    remark: "Time Spent is in seconds. Jira has no first-response date column (the SLA field \
             is a duration); map one with --map first_response=COLUMN if you have it.",
};

const SERVICENOW: Preset = Preset {
    // Columns: the incident table's fields (ServiceNow product documentation, "Incident
    // Management"): number, opened_at, resolved_at, closed_at, priority, state, category,
    // sys_updated_on; a list exported as CSV names columns by field name, an Excel export by
    // label (Number, Opened, Resolved, …): both are accepted. Priority choices "1 - Critical"
    // … "5 - Planning"; states New, In Progress, On Hold, Resolved, Closed, Canceled.
    name: "servicenow",
    system: "ServiceNow (Incident list → Export → CSV)",
    source: "ServiceNow documentation: incident table fields and choice lists (priority, state)",
    columns: &[
        (Field::Id, &["number", "Number"]),
        (Field::Created, &["opened_at", "Opened"]),
        (
            Field::Closed,
            &["resolved_at", "Resolved", "closed_at", "Closed"],
        ),
        (Field::Priority, &["priority", "Priority"]),
        (Field::Category, &["category", "Category"]),
        (Field::Status, &["state", "incident_state", "State"]),
        (Field::Updated, &["sys_updated_on", "Updated"]),
    ],
    subject_column: "short_description",
    delimiter: b',',
    dates: DateStyle::IsoSpace,
    priorities: &[
        ("1 - critical", P1),
        ("2 - high", P2),
        ("3 - moderate", P3),
        ("4 - low", P4),
        ("5 - planning", P4),
    ],
    priority_numbers: &[(1, P1), (2, P2), (3, P3), (4, P4), (5, P4)],
    priority_out: ["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"],
    statuses: &[
        ("new", Open),
        ("in progress", Open),
        ("on hold", Open),
        ("resolved", Closed),
        ("closed", Closed),
        ("canceled", Excluded("cancelled")),
        ("cancelled", Excluded("cancelled")),
    ],
    status_out: ("In Progress", "Resolved"),
    effort_unit: None,
    remark: "resolved_at ends a ticket (closed_at is read only when there is no resolved_at \
             column). Priority 5 - Planning is taken as P4.",
};

const FRESHDESK: Preset = Preset {
    // Columns: Freshdesk's ticket export (Freshdesk support, "Exporting tickets"; the labels
    // as in Freshdesk's own export code: "Ticket Id", "Status", "Priority", "Created Time",
    // "Resolved Time", …; current exports also "Closed time", "Initial response time",
    // "Time tracked" as hh:mm, "Last update time"). Priorities Low, Medium, High, Urgent;
    // statuses Open, Pending, Resolved, Closed.
    name: "freshdesk",
    system: "Freshdesk (Tickets → Export, CSV)",
    source: "Freshdesk support: Exporting tickets; export labels as in freshconsult lib/helpdesk/ticket_model_extension.rb",
    columns: &[
        (Field::Id, &["Ticket ID"]),
        (Field::Created, &["Created time"]),
        (Field::FirstResponse, &["Initial response time"]),
        (Field::Closed, &["Resolved time", "Closed time"]),
        (Field::Priority, &["Priority"]),
        (Field::Category, &["Type", "Group"]),
        (Field::Status, &["Status"]),
        (Field::Effort, &["Time tracked"]),
        (Field::Updated, &["Last update time"]),
    ],
    subject_column: "Subject",
    delimiter: b',',
    dates: DateStyle::IsoSpace,
    priorities: &[("urgent", P1), ("high", P2), ("medium", P3), ("low", P4)],
    priority_numbers: &[(1, P4), (2, P3), (3, P2), (4, P1)],
    priority_out: ["Urgent", "High", "Medium", "Low"],
    statuses: &[
        ("open", Open),
        ("pending", Open),
        ("waiting on customer", Open),
        ("waiting on third party", Open),
        ("resolved", Closed),
        ("closed", Closed),
        ("spam", Excluded("spam")),
        ("deleted", Excluded("deleted")),
    ],
    status_out: ("Open", "Resolved"),
    effort_unit: Some(EffortUnit::HoursMinutes),
    remark: "Time tracked is h:mm.",
};

const AUTOTASK: Preset = Preset {
    // Columns: the Tickets entity of the Autotask PSA REST API (Datto/Kaseya developer
    // documentation: ticketNumber, title, createDate, firstResponseDateTime, completedDate,
    // priority, status, issueType, lastActivityDate), as written by API export tools. Times
    // are UTC. Default picklists: priority 1 High, 2 Medium, 3 Low, 4 Critical; status
    // 1 New, 5 Complete, 8 In Progress, … (only 5 is closed; other codes are open by
    // the generic rule and listed in the notes).
    name: "autotask",
    system: "Datto Autotask PSA (Tickets entity of the REST API, as CSV)",
    source: "Autotask PSA REST API documentation: Tickets entity fields and default picklists",
    columns: &[
        (Field::Id, &["ticketNumber", "Ticket Number"]),
        (Field::Created, &["createDate", "Create Date"]),
        (
            Field::FirstResponse,
            &["firstResponseDateTime", "First Response Date"],
        ),
        (
            Field::Closed,
            &["completedDate", "Complete Date", "Completed Date"],
        ),
        (Field::Priority, &["priority", "Priority"]),
        (Field::Category, &["issueType", "Issue Type"]),
        (Field::Status, &["status", "Status"]),
        (Field::Updated, &["lastActivityDate", "Last Activity Date"]),
    ],
    subject_column: "title",
    delimiter: b',',
    dates: DateStyle::IsoUtc,
    priorities: &[("critical", P1), ("high", P2), ("medium", P3), ("low", P4)],
    priority_numbers: &[(4, P1), (1, P2), (2, P3), (3, P4)],
    priority_out: ["4", "1", "2", "3"],
    statuses: &[
        ("1", Open),
        ("5", Closed),
        ("8", Open),
        ("new", Open),
        ("complete", Closed),
        ("completed", Closed),
    ],
    status_out: ("1", "5"),
    effort_unit: None,
    remark: "Priority codes are Autotask's default picklist (4 Critical, 1 High, 2 Medium, \
             3 Low); status 5 (Complete) is closed, every other code open. Times in UTC are \
             converted to Europe/Berlin.",
};

static PRESETS: [Preset; 8] = [
    ZAMMAD, ZNUNY, OSTICKET, GLPI, JIRA, SERVICENOW, FRESHDESK, AUTOTASK,
];

/// Every preset, in the order `--list-presets` shows them.
pub fn presets() -> &'static [Preset] {
    &PRESETS
}

/// The preset called `name` (case-insensitive; `otrs` is Znuny, `jsm` Jira).
pub fn find_preset(name: &str) -> Option<&'static Preset> {
    let n = name.trim().to_ascii_lowercase();
    let n = match n.as_str() {
        "otrs" => "znuny",
        "jsm" | "jira-service-management" => "jira",
        other => other,
    };
    PRESETS.iter().find(|p| p.name == n)
}

/// The text of `covsim calibrate --list-presets`.
pub fn list_presets_text() -> String {
    let mut s = String::from(
        "Presets for ticket exports (--preset NAME; without it the preset is detected from the \
         header).\nColumns are matched ignoring case, spaces and punctuation; the first name \
         found is read.\n",
    );
    for p in presets() {
        s.push_str(&format!("\n{}  {}\n", p.name, p.system));
        for (field, names) in p.columns {
            s.push_str(&format!("  {:<15} {}\n", field.key(), names.join(" | ")));
        }
        s.push_str(&format!(
            "  {:<15} {} (written); every supported format is read\n",
            "dates",
            p.dates.example()
        ));
        s.push_str(&format!(
            "  {:<15} P1..P4 written as {}\n",
            "priorities",
            p.priority_out.join(", ")
        ));
        let excluded: Vec<String> = p
            .statuses
            .iter()
            .filter_map(|(v, k)| match k {
                StatusKind::Excluded(r) => Some(format!("{v} ({r})")),
                _ => None,
            })
            .collect();
        if !excluded.is_empty() {
            s.push_str(&format!("  {:<15} {}\n", "excluded", excluded.join(", ")));
        }
        if let Some(u) = p.effort_unit {
            s.push_str(&format!("  {:<15} {}\n", "effort unit", u.label()));
        }
        s.push_str(&format!("  {:<15} {}\n", "note", p.remark));
        s.push_str(&format!("  {:<15} {}\n", "source", p.source));
    }
    s.push_str(
        "\nAny other export: --map id=COLUMN,created=COLUMN,closed=COLUMN,priority=COLUMN,\
         category=COLUMN[,first_response=…,status=…,effort=… (hours),updated=…]\n",
    );
    s
}
