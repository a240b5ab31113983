//! Aligned × coherent scatter of every judged answer in scope, coloured by run, with the
//! misaligned region shaded. Scores are mostly integers, so points are binned per run and
//! score pair: the chart stays light at a million answers. Drag to select a region; click a
//! point to read its answers.

use leptos::prelude::*;
use probe_core::filter::ScoreRange;
use probe_core::stats;

use super::{run_colour, show_tab, Tab};
use crate::state::{AppState, Derived};

const SIZE: f64 = 420.0;
/// The dots' table lists at most this many groups (the summary above it counts them all).
const MAX_TABLE_ROWS: usize = 1000;
const PAD: f64 = 40.0;

fn px(score: f64) -> f64 {
    PAD + score.clamp(0.0, 100.0) / 100.0 * SIZE
}

fn py(score: f64) -> f64 {
    PAD + SIZE - score.clamp(0.0, 100.0) / 100.0 * SIZE
}

/// Screen offset within the plot → score, clamped to 0–100.
fn score_from_x(x: f64) -> f64 {
    ((x - PAD) / SIZE * 100.0).clamp(0.0, 100.0)
}

fn score_from_y(y: f64) -> f64 {
    ((PAD + SIZE - y) / SIZE * 100.0).clamp(0.0, 100.0)
}

#[component]
pub fn ScatterView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let bins = Memo::new(move |_| {
        let dataset = derived.shown.get();
        derived.judge.with(|judge| stats::scatter_bins(&dataset, judge, derived.scope.get().iter().copied()))
    });
    let brush = RwSignal::new(None::<(f64, f64, f64, f64)>); // x0, y0, x1, y1 in SVG units
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let local = move |ev: &web_sys::PointerEvent| -> Option<(f64, f64)> {
        let rect = svg_ref.get()?.get_bounding_client_rect();
        let scale = (SIZE + 2.0 * PAD) / rect.width().max(1.0);
        Some(((ev.client_x() as f64 - rect.left()) * scale, (ev.client_y() as f64 - rect.top()) * scale))
    };
    let apply_brush = move || {
        let Some((x0, y0, x1, y1)) = brush.get_untracked() else { return };
        brush.set(None);
        if (x1 - x0).abs() < 4.0 && (y1 - y0).abs() < 4.0 {
            return; // a click, handled by the point itself
        }
        let coherent =
            ScoreRange { min: Some(score_from_x(x0.min(x1)).floor()), max: Some(score_from_x(x0.max(x1)).ceil()) };
        let aligned =
            ScoreRange { min: Some(score_from_y(y0.max(y1)).floor()), max: Some(score_from_y(y0.min(y1)).ceil()) };
        state.view.update(|v| {
            v.filter.aligned = aligned;
            v.filter.coherent = coherent;
            v.open = None;
        });
        show_tab(state, Tab::Answers);
    };

    let region = move || {
        let t = state.view.with(|v| v.thresholds);
        let (x0, x1) = (px(t.coherent_above), px(100.0));
        let (y0, y1) = (py(t.aligned_below), py(0.0));
        view! {
            <rect class="misaligned-region" data-testid="misaligned-region" x=x0 y=y0 width=(x1 - x0).max(0.0) height=(y1 - y0).max(0.0)>
                <title>"Misaligned region: aligned below and coherent above the thresholds"</title>
            </rect>
        }
    };
    let points = move || {
        let names = derived.run_names.get();
        bins.get()
            .into_iter()
            .map(|bin| {
                let name = names.get(bin.run as usize).cloned().unwrap_or_default();
                let radius = 2.0 + (bin.count as f64).sqrt().min(8.0);
                let open = move |_| {
                    state.view.update(|v| {
                        v.filter.runs = vec![bin.run];
                        v.filter.aligned = ScoreRange { min: Some(bin.aligned as f64 - 0.5), max: Some(bin.aligned as f64 + 0.5) };
                        v.filter.coherent = ScoreRange { min: Some(bin.coherent as f64 - 0.5), max: Some(bin.coherent as f64 + 0.5) };
                        v.open = None;
                    });
                    show_tab(state, Tab::Answers);
                };
                view! {
                    <circle
                        class="point"
                        class:ring=is_ring(bin.run)
                        stroke=run_colour(bin.run as usize)
                        cx=px(bin.coherent as f64)
                        cy=py(bin.aligned as f64)
                        r=radius
                        fill=run_colour(bin.run as usize)
                        on:click=open
                    >
                        <title>{format!("{name}: {} answers with aligned {} and coherent {}", bin.count, bin.aligned, bin.coherent)}</title>
                    </circle>
                }
            })
            .collect_view()
    };
    let axes = [0.0, 25.0, 50.0, 75.0, 100.0]
        .into_iter()
        .map(|s| {
            view! {
                <text class="axis" x=px(s) y=PAD + SIZE + 16.0 text-anchor="middle">{s.to_string()}</text>
                <text class="axis" x=PAD - 6.0 y=py(s) + 4.0 text-anchor="end">{s.to_string()}</text>
            }
        })
        .collect_view();
    let total = PAD * 2.0 + SIZE;
    view! {
        <section class="scatter" data-testid="scatter-view">
            <p class="hint">"Each dot is a group of answers with the same scores (size shows how many). Drag to select a region, click a dot to read its answers."</p>
            <svg
                node_ref=svg_ref
                xmlns="http://www.w3.org/2000/svg"
                class="scatter-plot"
                viewBox=format!("0 0 {total} {total}")
                width=total
                height=total
                role="img"
                aria-label="Aligned versus coherent scores"
                aria-describedby="scatter-summary"
                on:pointerdown=move |ev| {
                    if let Some((x, y)) = local(&ev) {
                        brush.set(Some((x, y, x, y)));
                    }
                }
                on:pointermove=move |ev| {
                    if brush.get_untracked().is_some() {
                        if let Some((x, y)) = local(&ev) {
                            brush.update(|b| if let Some(b) = b { b.2 = x; b.3 = y; });
                        }
                    }
                }
                on:pointerup=move |_| apply_brush()
                on:pointerleave=move |_| brush.set(None)
            >
                <rect class="plot-bg" x=PAD y=PAD width=SIZE height=SIZE></rect>
                {region}
                {points}
                {axes}
                <text class="axis" x=PAD + SIZE / 2.0 y=total - 4.0 text-anchor="middle">"coherent"</text>
                <text class="axis" x="12" y=PAD + SIZE / 2.0 transform=format!("rotate(-90 12 {})", PAD + SIZE / 2.0) text-anchor="middle">"aligned"</text>
                {move || brush.get().map(|(x0, y0, x1, y1)| view! {
                    <rect class="brush" x=x0.min(x1) y=y0.min(y1) width=(x1 - x0).abs() height=(y1 - y0).abs()></rect>
                })}
            </svg>
            <ScatterText bins=bins/>
        </section>
    }
}

/// Every other run is drawn as rings rather than dots, so neighbouring runs differ by shape too.
fn is_ring(run: u32) -> bool {
    run % 2 == 1
}

/// The run's marker, as drawn in the plot, for its row of the table (the plot's legend).
fn marker(run: u32) -> impl IntoView {
    view! {
        <svg class="marker" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
            <circle class="marker-dot" class:ring=is_ring(run) cx="7" cy="7" r="5" fill=run_colour(run as usize) stroke=run_colour(run as usize)></circle>
        </svg>
    }
}

/// The plot in words: per run, how many judged answers it draws and how many fall in the
/// misaligned region (the counts of the rates table), with a way to read them; and on request
/// every dot as a table row.
#[component]
fn ScatterText(bins: Memo<Vec<stats::ScatterBin>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let show_dots = RwSignal::new(false);
    let summary = move || {
        let t = derived.thresholds.get();
        format!(
            "Each judged answer is placed by its coherent score (across) and aligned score (up). The shaded corner, aligned below {} and coherent above {}, holds the answers counted as misaligned; the table below gives the counts per run.",
            t.aligned_below, t.coherent_above
        )
    };
    let rows = move || {
        let names = derived.run_names.get();
        derived
            .rates
            .get()
            .runs
            .iter()
            .map(|row| {
                let run = row.run;
                let name = names.get(run as usize).cloned().unwrap_or_default();
                let read = move |_| {
                    state.view.update(|v| {
                        v.filter.runs = vec![run];
                        v.filter.misaligned_only = true;
                        v.open = None;
                    });
                    show_tab(state, Tab::Answers);
                };
                view! {
                    <tr>
                        <th scope="row">{marker(run)}{name}</th>
                        <td>{row.total.judged}</td>
                        <td>{row.total.misaligned}</td>
                        <td><button data-testid="scatter-read" on:click=read>"Read them"</button></td>
                    </tr>
                }
            })
            .collect_view()
    };
    let dots = move || {
        if !show_dots.get() {
            return None;
        }
        let names = derived.run_names.get();
        let bins = bins.get();
        let shown = bins.len().min(MAX_TABLE_ROWS);
        let body = bins
            .iter()
            .take(MAX_TABLE_ROWS)
            .map(|bin| {
                let name = names.get(bin.run as usize).cloned().unwrap_or_default();
                view! { <tr><th scope="row">{name}</th><td>{bin.aligned}</td><td>{bin.coherent}</td><td>{bin.count}</td></tr> }
            })
            .collect_view();
        Some(view! {
            <div class="table-scroll dots-table" tabindex="0" role="region" aria-label="Every dot of the plot">
                <table class="rate-matrix" data-testid="scatter-dots">
                    <caption>{if shown < bins.len() { format!("The first {shown} of {} dots", bins.len()) } else { format!("All {shown} dots") }}</caption>
                    <thead><tr><th scope="col">"Run"</th><th scope="col">"Aligned"</th><th scope="col">"Coherent"</th><th scope="col">"Answers"</th></tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        })
    };
    view! {
        <div class="scatter-text">
        <p class="hint" id="scatter-summary" data-testid="scatter-summary">{summary}</p>
        <table class="scatter-table" data-testid="scatter-table">
            <caption>"Answers in the plot, per run"</caption>
            <thead>
                <tr>
                    <th scope="col">"Run"</th>
                    <th scope="col">"Judged answers"</th>
                    <th scope="col">"In the misaligned region"</th>
                    <th scope="col">"Answers"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <button class="dots-toggle" data-testid="scatter-dots-toggle" aria-expanded=move || show_dots.get().to_string() on:click=move |_| show_dots.update(|s| *s = !*s)>
            {move || if show_dots.get() { "Hide the table of dots" } else { "Show every dot as a table" }}
        </button>
        {dots}
        </div>
    }
}
