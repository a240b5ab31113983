//! A site's own words: its header (title, subtitle, authors, links) and its introduction and
//! figures. All of it is untrusted text from the site file: rendered as text nodes, and links
//! only to the http(s) addresses `probe_core::site` let through.

use leptos::prelude::*;
use probe_core::site::{Inline, Paragraph};

use crate::site::{self, SiteState};
use crate::state::AppState;

/// Paragraphs of text and links.
#[component]
pub fn Paragraphs(paragraphs: Vec<Paragraph>) -> impl IntoView {
    paragraphs
        .into_iter()
        .map(|paragraph| {
            let pieces = paragraph
                .into_iter()
                .map(|piece| match piece {
                    Inline::Text(text) => text.into_any(),
                    Inline::Link(link) => {
                        view! { <a href=link.url rel="noopener noreferrer" target="_blank">{link.text}</a> }.into_any()
                    }
                })
                .collect_view();
            view! { <p>{pieces}</p> }
        })
        .collect_view()
}

/// The page's title and tagline: the site's when there is one.
#[component]
pub fn SiteTitle() -> impl IntoView {
    let sites = expect_context::<SiteState>();
    move || match sites.site.get() {
        Some(site) => {
            let authors = site
                .authors
                .iter()
                .map(|a| match &a.url {
                    Some(url) => {
                        view! { <a href=url.clone() rel="noopener noreferrer" target="_blank">{a.name.clone()}</a> }
                            .into_any()
                    }
                    None => a.name.clone().into_any(),
                })
                .enumerate()
                .map(|(i, a)| view! { {(i > 0).then_some(", ")} {a} })
                .collect_view();
            let links = site
                .links
                .iter()
                .map(|l| view! { <a href=l.url.clone() rel="noopener noreferrer" target="_blank">{l.text.clone()}</a> " " })
                .collect_view();
            view! {
                <div class="titles">
                    <h1 data-testid="site-title">{site.title.clone()}</h1>
                    {(!site.subtitle.is_empty()).then(|| view! { <p class="tagline" data-testid="site-subtitle">{site.subtitle.clone()}</p> })}
                    {(!site.authors.is_empty()).then(|| view! { <p class="authors" data-testid="site-authors">{authors}</p> })}
                    {(!site.links.is_empty()).then(|| view! { <p class="site-links">{links}</p> })}
                </div>
            }
            .into_any()
        }
        None => view! {
            <div class="titles">
                <h1>"Probe Explorer"</h1>
                <p class="tagline">"Explore emergent-misalignment transcripts in your browser. Nothing is uploaded."</p>
            </div>
        }
        .into_any(),
    }
}

/// The site's introduction and its figures (each opens the view it was written with).
#[component]
pub fn SiteAbout() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sites = expect_context::<SiteState>();
    move || {
        let site = sites.site.get()?;
        if site.intro.is_empty() && site.figures.is_empty() {
            return None;
        }
        let figures = site
            .figures
            .iter()
            .enumerate()
            .map(|(i, figure)| {
                let target = figure.view.clone();
                view! {
                    <li>
                        <button class="figure-link" data-testid="figure" data-figure=i on:click=move |_| site::show_view(state, &target, None)>
                            {figure.caption.clone()}
                        </button>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <aside class="site-about" aria-label="About this site" data-testid="site-about">
                <Paragraphs paragraphs=site.intro.clone()/>
                {(!site.figures.is_empty()).then(|| view! {
                    <h2>"Figures"</h2>
                    <ol class="figures" data-testid="figures">{figures}</ol>
                })}
            </aside>
        })
    }
}
