//! The transparency page's charts, drawn on the server: the geometry of each chart (bars,
//! gridlines, labels, in SVG user units) worked out here, the markup written by the template.
//! A hidden value draws no bar and shows "—" where its bar would stand.

use serde::Serialize;

use crate::domain::vn_format;

/// One bar: its rectangle, what it stands for, and its value as written above (or beside) it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// What it stands for (a month, a field).
    pub label: String,
    /// The value as written on the chart: "92,3%", "1.204", or "—" when hidden.
    pub value: String,
    pub hidden: bool,
}

/// A line across the plot at a value, with that value written at its start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gridline {
    pub y: f64,
    pub label: String,
}

/// A chart ready to draw in a `width × height` view box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    /// Where the plot starts on the left (labels are written before it).
    pub left: f64,
    /// Where the plot ends on the right.
    pub right: f64,
    /// The plot's baseline (columns) or top (horizontal bars).
    pub baseline: f64,
    pub gridlines: Vec<Gridline>,
    pub bars: Vec<Bar>,
    /// Whether any value is hidden (the legend says why).
    pub any_hidden: bool,
}

const WIDTH: f64 = 640.0;
const COLUMN_HEIGHT: f64 = 240.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 28.0;
const COLUMN_LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;

/// Shares (0 to 1) as columns over a 0–100% scale, one per label, oldest first.
pub fn share_columns(points: &[(String, Option<f64>)]) -> Chart {
    let baseline = COLUMN_HEIGHT - BOTTOM;
    let plot_height = baseline - TOP;
    let slot = (WIDTH - COLUMN_LEFT - RIGHT) / points.len().max(1) as f64;
    let width = (slot * 0.6).min(48.0);
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, (label, share))| {
            let height = share.map_or(0.0, |s| s.clamp(0.0, 1.0) * plot_height);
            Bar {
                x: round(COLUMN_LEFT + slot * i as f64 + (slot - width) / 2.0),
                y: round(baseline - height),
                width: round(width),
                height: round(height),
                label: label.clone(),
                value: share.map_or_else(|| "—".to_owned(), vn_format::percent),
                hidden: share.is_none(),
            }
        })
        .collect();
    let gridlines = (0..=4)
        .map(|step| Gridline {
            y: round(baseline - plot_height * f64::from(step) / 4.0),
            label: format!("{}%", step * 25),
        })
        .collect();
    Chart {
        width: WIDTH,
        height: COLUMN_HEIGHT,
        left: COLUMN_LEFT,
        right: WIDTH - RIGHT,
        baseline,
        gridlines,
        bars,
        any_hidden: points.iter().any(|(_, share)| share.is_none()),
    }
}

const ROW: f64 = 30.0;
const BAR_LEFT: f64 = 200.0;
const VALUE_ROOM: f64 = 64.0;

/// Counts as horizontal bars, one row per label, the longest bar the largest count.
pub fn count_bars(rows: &[(String, Option<i64>)]) -> Chart {
    let most = rows.iter().filter_map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let room = WIDTH - BAR_LEFT - VALUE_ROOM;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, count))| Bar {
            x: BAR_LEFT,
            y: round(TOP / 2.0 + ROW * i as f64 + 6.0),
            width: round(count.map_or(0.0, |n| n.max(0) as f64 / most * room)),
            height: ROW - 12.0,
            label: label.clone(),
            value: count.map_or_else(|| "—".to_owned(), vn_format::thousands),
            hidden: count.is_none(),
        })
        .collect();
    Chart {
        width: WIDTH,
        height: round(TOP + ROW * rows.len().max(1) as f64),
        left: BAR_LEFT,
        right: WIDTH - VALUE_ROOM,
        baseline: TOP / 2.0,
        gridlines: Vec::new(),
        bars,
        any_hidden: rows.iter().any(|(_, n)| n.is_none()),
    }
}

/// Two decimals are plenty for a screen and keep the markup short.
fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_rise_from_the_baseline_in_proportion_and_hidden_ones_draw_nothing() {
        let chart = share_columns(&[
            ("11/2026".into(), Some(1.0)),
            ("12/2026".into(), None),
            ("01/2027".into(), Some(0.5)),
        ]);
        let [full, hidden, half] = [&chart.bars[0], &chart.bars[1], &chart.bars[2]];
        assert_eq!((full.y, full.height), (TOP, chart.baseline - TOP));
        assert_eq!(half.y + half.height, chart.baseline);
        assert_eq!(half.height, full.height / 2.0);
        assert_eq!((hidden.height, hidden.value.as_str(), hidden.hidden), (0.0, "—", true));
        assert_eq!(full.value, "100%");
        assert_eq!(half.value, "50%");
        assert!(full.x < hidden.x && hidden.x < half.x && half.x + half.width <= chart.right);
        assert!(chart.any_hidden);
        let labels: Vec<&str> = chart.gridlines.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["0%", "25%", "50%", "75%", "100%"]);
        assert_eq!(chart.gridlines[0].y, chart.baseline);
    }

    #[test]
    fn bars_are_as_long_as_their_counts_and_written_the_vietnamese_way() {
        let chart = count_bars(&[
            ("Hộ tịch".into(), Some(1200)),
            ("Đất đai".into(), Some(300)),
            ("Khác".into(), None),
        ]);
        assert_eq!(chart.bars[0].width, chart.right - chart.left);
        assert_eq!(chart.bars[1].width, chart.bars[0].width / 4.0);
        assert_eq!((chart.bars[0].value.as_str(), chart.bars[2].value.as_str()), ("1.200", "—"));
        assert!(chart.bars[1].y > chart.bars[0].y);
        assert!(chart.bars[2].y + chart.bars[2].height <= chart.height);
    }

    #[test]
    fn an_empty_chart_still_has_a_size() {
        let chart = count_bars(&[]);
        assert!(chart.height > 0.0 && chart.bars.is_empty() && !chart.any_hidden);
        assert!(share_columns(&[]).bars.is_empty());
    }
}
