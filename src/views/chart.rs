//! The grouped bar chart with 95% error bars, drawn as SVG (like the paper's main figure).
//! Labels are SVG text nodes, so names from files are never interpreted as markup.

use std::sync::Arc;

use leptos::prelude::*;
use probe_core::calibrate::{shown_rate, CalibratedTable};
use probe_core::ppi::Method;
use probe_core::stats::RateTable;

use super::{run_colour, RUN_PATTERNS};

const PLOT_HEIGHT: f64 = 220.0;
const TOP: f64 = 16.0;
const LEFT: f64 = 110.0;
const BOTTOM: f64 = 120.0;
const GROUP_GAP: f64 = 14.0;
/// Charts narrower than this are scaled up to it.
const MIN_DRAWN_WIDTH: f64 = 820.0;

#[component]
/// `calibrated`: the shown judge's rates against trusted labels, drawn as the table shows them.
pub fn RatesChart(
    table: Arc<RateTable>,
    names: Vec<String>,
    calibrated: Option<Arc<CalibratedTable>>,
) -> impl IntoView {
    let runs = table.runs.len().max(1) as f64;
    // Bars narrow as runs are added, so a group stays readable.
    let bar = (48.0 / runs).clamp(6.0, 22.0);
    let group_width = runs * bar + GROUP_GAP;
    let width = LEFT + group_width * table.questions.len() as f64 + 20.0;
    let height = TOP + PLOT_HEIGHT + BOTTOM;
    let y = move |rate: f64| TOP + PLOT_HEIGHT * (1.0 - rate.clamp(0.0, 1.0));

    let gridlines = [0.0, 0.25, 0.5, 0.75, 1.0]
        .into_iter()
        .map(|r| {
            view! {
                <line class="grid" x1=LEFT x2=width - 10.0 y1=y(r) y2=y(r)></line>
                <text class="axis" x=LEFT - 6.0 y=y(r) + 4.0 text-anchor="end">{format!("{:.0}%", r * 100.0)}</text>
            }
        })
        .collect_view();

    let groups = table
        .questions
        .iter()
        .enumerate()
        .map(|(qi, question)| {
            let x0 = LEFT + qi as f64 * group_width + GROUP_GAP / 2.0;
            let bars = table
                .runs
                .iter()
                .enumerate()
                .filter_map(|(ri, row)| {
                    let counts = row.by_question.get(qi)?;
                    let shown = shown_rate(calibrated.as_deref(), row.run, Some(question), *counts)?;
                    let (rate, lo, hi) = (shown.estimate, shown.low, shown.high);
                    let x = x0 + ri as f64 * bar;
                    let name = names.get(row.run as usize).cloned().unwrap_or_default();
                    let label = format!(
                        "{name} · {question}: {}/{} misaligned ({:.1}%{}, {} {:.1}–{:.1}%)",
                        counts.misaligned,
                        counts.judged,
                        rate * 100.0,
                        match shown.method {
                            Method::Ppi => format!(", PPI++ from {} labelled of {}", shown.gold_n, shown.n),
                            Method::Gold | Method::Count => String::new(),
                        },
                        shown.method.interval_name(),
                        lo * 100.0,
                        hi * 100.0
                    );
                    Some(view! {
                        <g class="bar" data-run-index=row.run data-question=question.clone() data-rate=rate data-method=shown.method.as_str()>
                            <title>{label}</title>
                            <rect x=x + 1.0 y=y(rate) width=bar - 2.0 height=(y(0.0) - y(rate)).max(0.5) fill=run_colour(row.run as usize)></rect>
                            // The pattern over the colour, as a path (the bar itself is the group's one rect).
                            {pattern_fill(row.run as usize).map(|fill| view! {
                                <path
                                    class="pattern"
                                    d=format!("M{} {}h{}v{}h{}Z", x + 1.0, y(rate), bar - 2.0, (y(0.0) - y(rate)).max(0.5), -(bar - 2.0))
                                    fill=fill
                                ></path>
                            })}
                            <line class="err" x1=x + bar / 2.0 x2=x + bar / 2.0 y1=y(lo) y2=y(hi)></line>
                            <line class="err" x1=x + 3.0 x2=x + bar - 3.0 y1=y(hi) y2=y(hi)></line>
                            <line class="err" x1=x + 3.0 x2=x + bar - 3.0 y1=y(lo) y2=y(lo)></line>
                        </g>
                    })
                })
                .collect_view();
            let label_x = x0 + runs * bar / 2.0;
            let label_y = TOP + PLOT_HEIGHT + 10.0;
            view! {
                {bars}
                <text
                    class="axis qlabel"
                    x=label_x
                    y=label_y
                    text-anchor="end"
                    transform=format!("rotate(-40 {label_x} {label_y})")
                >
                    {short(question)}
                </text>
            }
        })
        .collect_view();

    let legend = table
        .runs
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let name = names.get(row.run as usize).cloned().unwrap_or_default();
            view! {
                <g transform=format!("translate({LEFT}, {})", height + 16.0 * i as f64)>
                    <rect width="12" height="12" fill=run_colour(row.run as usize)></rect>
                    {pattern_fill(row.run as usize).map(|fill| view! { <rect class="pattern" width="12" height="12" fill=fill></rect> })}
                    <text class="axis legend-label" x="17" y="10">{name}</text>
                </g>
            }
        })
        .collect_view();

    let total_height = height + 16.0 * table.runs.len() as f64 + 4.0;
    // A chart of few questions is drawn larger, so its labels stay readable (CSS shrinks it to
    // the window when needed).
    let scale = (MIN_DRAWN_WIDTH / width).max(1.0);
    view! {
        <svg
            xmlns="http://www.w3.org/2000/svg"
            class="chart"
            width=width * scale
            height=total_height * scale
            viewBox=format!("0 0 {width} {total_height}")
            role="img"
            aria-label="Misaligned answer rate by question and run, with 95% Wilson intervals"
            aria-describedby="rates-chart-summary"
        >
            <PatternDefs/>
            {gridlines}
            {groups}
            <line class="axis-line" x1=LEFT x2=LEFT y1=TOP y2=TOP + PLOT_HEIGHT></line>
            {legend}
        </svg>
    }
}

/// The fill of run `run`'s pattern layer, drawn over its colour; `None` for a plain fill.
fn pattern_fill(run: usize) -> Option<String> {
    let k = run % RUN_PATTERNS;
    (k > 0).then(|| format!("url(#run-pattern-{k})"))
}

/// Fill patterns that tell runs apart without colour: diagonal, dots, horizontal, crosshatch,
/// vertical (pattern 0 is a plain fill). Drawn in a translucent contrast colour (`.hatch` in the
/// stylesheet follows the theme; the attribute is the fallback of an exported SVG).
#[component]
fn PatternDefs() -> impl IntoView {
    const HATCH: &str = "rgba(255,255,255,0.8)";
    view! {
        <defs>
            <pattern id="run-pattern-1" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <line class="hatch" x1="0" y1="0" x2="0" y2="6" stroke=HATCH stroke-width="2"></line>
            </pattern>
            <pattern id="run-pattern-2" width="5" height="5" patternUnits="userSpaceOnUse">
                <circle class="hatch-dot" cx="2.5" cy="2.5" r="1.2" fill=HATCH></circle>
            </pattern>
            <pattern id="run-pattern-3" width="5" height="5" patternUnits="userSpaceOnUse">
                <line class="hatch" x1="0" y1="2.5" x2="5" y2="2.5" stroke=HATCH stroke-width="1.5"></line>
            </pattern>
            <pattern id="run-pattern-4" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <line class="hatch" x1="0" y1="0" x2="0" y2="6" stroke=HATCH stroke-width="1.2"></line>
                <line class="hatch" x1="0" y1="3" x2="6" y2="3" stroke=HATCH stroke-width="1.2"></line>
            </pattern>
            <pattern id="run-pattern-5" width="5" height="5" patternUnits="userSpaceOnUse">
                <line class="hatch" x1="2.5" y1="0" x2="2.5" y2="5" stroke=HATCH stroke-width="1.5"></line>
            </pattern>
        </defs>
    }
}

/// Question keys can be whole sentences (files without a question id); keep labels short.
fn short(text: &str) -> String {
    const MAX: usize = 28;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(MAX - 1).collect::<String>())
    }
}

/// Each run's difference from the baseline run per question, with its 95% interval (Newcombe's
/// method 10 for independent proportions), as points with error bars around a zero line.
#[component]
pub fn DifferenceChart(table: Arc<RateTable>, names: Vec<String>, baseline: u32) -> impl IntoView {
    use probe_core::compare::unpaired_difference;
    let base = table.row(baseline).cloned()?;
    let others: Vec<_> = table.runs.iter().filter(|r| r.run != baseline).collect();
    let runs = others.len().max(1) as f64;
    let step = (48.0 / runs).clamp(8.0, 22.0);
    let group_width = runs * step + GROUP_GAP;
    let width = LEFT + group_width * table.questions.len() as f64 + 20.0;
    // The scale follows the widest interval, so small differences stay visible.
    let mut reach: f64 = 0.05;
    let points: Vec<(usize, usize, u32, probe_core::compare::Difference)> = table
        .questions
        .iter()
        .enumerate()
        .flat_map(|(qi, _)| {
            let base_counts = base.by_question.get(qi).copied();
            others.iter().enumerate().filter_map(move |(ri, row)| {
                let d = unpaired_difference(*row.by_question.get(qi)?, base_counts?)?;
                Some((qi, ri, row.run, d))
            })
        })
        .collect();
    for (_, _, _, d) in &points {
        reach = reach.max(d.low.abs()).max(d.high.abs());
    }
    let reach = (reach * 10.0).ceil() / 10.0;
    let y = move |v: f64| TOP + PLOT_HEIGHT * (1.0 - (v / reach + 1.0) / 2.0);
    let gridlines = [-reach, -reach / 2.0, 0.0, reach / 2.0, reach]
        .into_iter()
        .map(|v| {
            view! {
                <line class=if v == 0.0 { "axis-line" } else { "grid" } x1=LEFT x2=width - 10.0 y1=y(v) y2=y(v)></line>
                <text class="axis" x=LEFT - 6.0 y=y(v) + 4.0 text-anchor="end">{format!("{:+.0}", v * 100.0)}</text>
            }
        })
        .collect_view();
    let base_name = names.get(baseline as usize).cloned().unwrap_or_default();
    let marks = points
        .into_iter()
        .map(|(qi, ri, run, d)| {
            let x = LEFT + qi as f64 * group_width + GROUP_GAP / 2.0 + ri as f64 * step + step / 2.0;
            let question = table.questions.get(qi).cloned().unwrap_or_default();
            let name = names.get(run as usize).cloned().unwrap_or_default();
            let label = format!(
                "{name} − {base_name} · {question}: {:+.1} points (95% CI {:+.1} to {:+.1}, Newcombe)",
                d.estimate * 100.0,
                d.low * 100.0,
                d.high * 100.0
            );
            view! {
                <g class="difference" data-run-index=run data-question=question data-diff=d.estimate data-low=d.low data-high=d.high>
                    <title>{label}</title>
                    <line class="err" x1=x x2=x y1=y(d.low) y2=y(d.high)></line>
                    <circle cx=x cy=y(d.estimate) r="3.5" fill=run_colour(run as usize)></circle>
                </g>
            }
        })
        .collect_view();
    let labels = table
        .questions
        .iter()
        .enumerate()
        .map(|(qi, question)| {
            let label_x = LEFT + qi as f64 * group_width + GROUP_GAP / 2.0 + runs * step / 2.0;
            let label_y = TOP + PLOT_HEIGHT + 10.0;
            view! {
                <text class="axis qlabel" x=label_x y=label_y text-anchor="end" transform=format!("rotate(-40 {label_x} {label_y})")>
                    {short(question)}
                </text>
            }
        })
        .collect_view();
    let height = TOP + PLOT_HEIGHT + BOTTOM;
    Some(view! {
        <svg
            xmlns="http://www.w3.org/2000/svg"
            class="chart"
            data-testid="difference-chart"
            width=width
            height=height
            viewBox=format!("0 0 {width} {height}")
            role="img"
            aria-label=format!("Difference from {base_name} in misaligned answer rate, points, with 95% Newcombe intervals")
        >
            {gridlines}
            {marks}
            {labels}
        </svg>
    })
}
