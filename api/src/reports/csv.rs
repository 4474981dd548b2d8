//! The report's dossier table as a spreadsheet file: UTF-8 with a byte-order mark (so that
//! spreadsheet programs read Vietnamese right), comma-separated, CRLF line ends (RFC 4180), a
//! header row of stable English keys, one row per group, then the total row.

use super::dto::DossierRow;

/// The columns, in order: the keys of [`DossierRow`].
pub const HEADER: [&str; 17] = [
    "key",
    "name",
    "received",
    "received_online",
    "received_desk_or_post",
    "carried_over",
    "processed",
    "early",
    "on_time",
    "late",
    "on_time_rate",
    "open",
    "open_in_time",
    "open_overdue",
    "withdrawn",
    "refused",
    "stopped",
];

/// One cell: quoted when it holds a comma, quote or line break; text that a spreadsheet would
/// run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is prefixed with `'`.
fn cell(text: &str) -> String {
    let text =
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

fn line(row: &DossierRow) -> String {
    let numbers = [
        row.received,
        row.received_online,
        row.received_desk_or_post,
        row.carried_over,
        row.processed,
        row.early,
        row.on_time,
        row.late,
    ];
    let mut cells: Vec<String> = vec![cell(&row.key), cell(&row.name)];
    cells.extend(numbers.iter().map(i64::to_string));
    cells.push(row.on_time_rate.map(|rate| format!("{rate:.4}")).unwrap_or_default());
    let rest = [row.open, row.open_in_time, row.open_overdue, row.withdrawn, row.refused, row.stopped];
    cells.extend(rest.iter().map(i64::to_string));
    cells.join(",")
}

/// The table: BOM, header, the rows, the total.
pub fn dossier_table(rows: &[DossierRow], total: &DossierRow) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADER.join(","));
    out.push_str("\r\n");
    for row in rows.iter().chain([total]) {
        out.push_str(&line(row));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::DossierCounts;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("Hộ tịch"), "Hộ tịch");
        assert_eq!(cell("Đất đai, xây dựng"), "\"Đất đai, xây dựng\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
    }

    #[test]
    fn the_table_has_a_bom_a_header_rows_and_the_total() {
        let counts =
            DossierCounts { early: 2, on_time: 1, late: 1, received_online: 3, ..Default::default() };
        let row = DossierRow::of("Hộ tịch".into(), "Hộ tịch".into(), &counts);
        let total = DossierRow::of("total".into(), "Tổng cộng".into(), &counts);
        let table = dossier_table(&[row], &total);
        let lines: Vec<&str> = table.strip_prefix('\u{feff}').unwrap().split("\r\n").collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].split(',').count(), HEADER.len());
        assert_eq!(lines[1], "Hộ tịch,Hộ tịch,3,3,0,0,4,2,1,1,0.7500,0,0,0,0,0,0");
        assert!(lines[2].starts_with("total,Tổng cộng,3,"));
        assert_eq!(lines[3], "");
    }
}
