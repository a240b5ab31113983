//! The site file and the tour, in the app: which site the page belongs to, loading it, and
//! moving between its figures and tour steps. Parsing and validation are `probe_core::site`.
//!
//! Where the site file comes from: `?site=URL`, else the page's
//! `<meta name="probe-explorer-site" content="site.json">` (written by `probe-explorer site
//! build`). A plain build of the app has neither, so it never asks for a file that is not
//! there (a 404 would be a console error on every visit).

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use probe_core::site::Site;
use probe_core::view_state::ViewState;

use crate::load;
use crate::state::{AppState, Level};

/// The demo's own site file: its tour of the finding, bundled so it works with no network.
const DEMO_SITE: &[u8] = include_bytes!("../public/demo/site.json");

/// Provided once by the app.
#[derive(Clone, Copy)]
pub struct SiteState {
    /// The site the page was opened as; `None`: the normal app.
    pub site: RwSignal<Option<Arc<Site>>>,
    /// The demo's tour (parsed once; `None` only if the bundled file were broken).
    pub demo: StoredValue<Option<Arc<Site>>>,
    /// The tour offered now: the site's, else the demo's while the demo is shown.
    pub tour: Memo<Option<Arc<Site>>>,
}

impl SiteState {
    pub fn new(state: AppState) -> Self {
        let site = RwSignal::new(None::<Arc<Site>>);
        let demo = StoredValue::new(Site::parse(DEMO_SITE).ok().map(Arc::new));
        let tour = Memo::new(move |_| match site.get() {
            Some(site) if !site.tour.is_empty() => Some(site),
            Some(_) => None,
            None if state.is_demo.get() => demo.get_value(),
            None => None,
        });
        Self { site, demo, tour }
    }

    /// Number of steps of the tour offered now.
    pub fn steps(&self) -> usize {
        self.tour.with(|t| t.as_ref().map_or(0, |t| t.tour.len()))
    }
}

/// The address of the page's site file, if it has one.
fn site_address(view: &ViewState) -> Option<String> {
    if let Some(site) = &view.site {
        return Some(site.clone());
    }
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector("meta[name=probe-explorer-site]").ok().flatten()?;
    meta.get_attribute("content").filter(|c| !c.trim().is_empty())
}

/// True when the address says nothing but which data, site or tour step to show.
fn is_bare(view: &ViewState) -> bool {
    let mut rest = view.clone();
    rest.sources.clear();
    rest.run_names.clear();
    rest.site = None;
    rest.tour = None;
    rest == ViewState::default()
}

/// Starts the app's data: the site's (when the page is a site), the link's, or the demo.
pub fn start(state: AppState, sites: SiteState) {
    let view = state.view.get_untracked();
    match site_address(&view) {
        Some(address) => spawn_local(async move { open_site(state, sites, &address).await }),
        None => start_without_site(state, sites),
    }
}

fn start_without_site(state: AppState, sites: SiteState) {
    let view = state.view.get_untracked();
    if view.sources.is_empty() {
        // A link to a step of the demo's tour opens that step's view.
        if let (Some(step), Some(demo)) = (view.tour, sites.demo.get_value()) {
            if is_bare(&view) {
                if let Some(step_view) = demo.tour_view(step as usize) {
                    state.view.update(|v| *v = ViewState { sources: Vec::new(), run_names: Vec::new(), ..step_view });
                }
            }
        }
        load::load_demo(state);
    } else {
        load::load_urls(state, view.sources);
    }
}

async fn open_site(state: AppState, sites: SiteState, address: &str) {
    let parsed =
        load::fetch_bytes(address, None).await.and_then(|bytes| Site::parse(&bytes).map_err(|e| e.to_string()));
    let site = match parsed {
        Ok(site) => site,
        Err(message) => {
            state.notify(Level::Error, format!("The site file {address} could not be read: {message}"));
            start_without_site(state, sites);
            return;
        }
    };
    // Data paths are relative to the site file, which may live elsewhere than the page.
    let mut site = site;
    if state.view.with_untracked(|v| v.site.is_some()) {
        for dataset in &mut site.datasets {
            dataset.url = resolve(&dataset.url, address);
        }
    }
    let site = Arc::new(site);
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&site.title);
    }
    let url_view = state.view.get_untracked();
    // A bare address opens the site's default view, or the tour step it names.
    let base = match url_view.tour {
        Some(step) if is_bare(&url_view) => site.tour_view(step as usize).unwrap_or_else(|| site.with_data(&site.view)),
        _ if is_bare(&url_view) => site.with_data(&site.view),
        _ => url_view.clone(),
    };
    let mut view = base;
    if view.sources.is_empty() {
        view.sources = site.datasets.iter().map(|d| d.url.clone()).collect();
        view.run_names = site.with_data(&view).run_names;
    }
    view.site = url_view.site.clone();
    view.tour = view.tour.or(url_view.tour).filter(|step| (*step as usize) <= site.tour.len());
    let sources = view.sources.clone();
    state.view.set(view);
    sites.site.set(Some(site));
    if sources.is_empty() {
        load::load_demo(state);
    } else {
        load::load_urls(state, sources);
    }
}

/// `url` relative to `base` (an absolute address, or one relative to the page).
fn resolve(url: &str, base: &str) -> String {
    let page = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    web_sys::Url::new_with_base(base, &page)
        .and_then(|base| web_sys::Url::new_with_base(url, &base.href()))
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_owned())
}

/// Shows `target` (a figure's or a step's view) on the data already loaded: the loaded runs,
/// their names and the site stay; everything else is the target's.
pub fn show_view(state: AppState, target: &ViewState, tour: Option<u32>) {
    state.view.update(|v| {
        *v = ViewState {
            sources: std::mem::take(&mut v.sources),
            run_names: std::mem::take(&mut v.run_names),
            site: v.site.take(),
            tour,
            ..target.clone()
        };
    });
}

/// Opens step `step` (from 1) of the tour offered now, restoring that step's own view.
pub fn go_to_step(state: AppState, sites: SiteState, step: usize) {
    let Some(tour) = sites.tour.get_untracked() else { return };
    let Some(target) = step.checked_sub(1).and_then(|i| tour.tour.get(i)) else { return };
    show_view(state, &target.view, Some(step as u32));
}

/// Closes the tour; the view stays as it is.
pub fn close_tour(state: AppState) {
    state.view.update(|v| v.tour = None);
}
