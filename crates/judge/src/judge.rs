//! The judge: an ONNX Runtime session whose inputs and outputs were checked against
//! `judge.json`, and the featurizer that feeds it.

use std::borrow::Cow;

use ort::session::{Session, SessionInputValue, SessionOutputs};
use ort::value::{Outlet, Tensor, TensorElementType, ValueType};

use crate::spec::Inputs;
use crate::{JudgeError, JudgeScore, JudgeSpec};

/// Answers per model run. The model is a bag of hashed n-grams, so a run costs little more
/// than featurizing; 128 keeps the padded input small (answers are truncated at 512 tokens)
/// while amortising the per-run overhead. See the crate docs for measured throughput.
pub const DEFAULT_BATCH_SIZE: usize = 128;

/// How to run the model. [`Default`] suits both the CLI and the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgeOptions {
    /// Answers per model run (at least 1).
    pub batch_size: usize,
    /// Threads ONNX Runtime may use inside one run (native only; `None` = ONNX Runtime's
    /// default, one per physical core). Ignored on the web, where threads depend on COOP/COEP.
    pub intra_threads: Option<usize>,
}

impl Default for JudgeOptions {
    /// One thread: the model is small and a run is mostly featurizing, so ONNX Runtime's
    /// multi-threaded default measured no faster (and takes every core from the rest of the app).
    fn default() -> Self {
        Self { batch_size: DEFAULT_BATCH_SIZE, intra_threads: Some(1) }
    }
}

#[cfg(not(target_arch = "wasm32"))]
type SessionLock = std::sync::Mutex<Session>;
// On the web a run is awaited while the session is borrowed: an async lock queues a second
// `score_async` instead of panicking.
#[cfg(target_arch = "wasm32")]
type SessionLock = futures::lock::Mutex<Session>;

/// A loaded judge model. Scoring takes `&self`; concurrent calls run one after the other.
pub struct Judge {
    spec: JudgeSpec,
    featurizer: Inputs,
    batch_size: usize,
    session: SessionLock,
}

impl std::fmt::Debug for Judge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Judge").field("spec", &self.spec).field("batch_size", &self.batch_size).finish_non_exhaustive()
    }
}

impl Judge {
    /// Loads a model from its bytes and checks it against `spec`, with default options.
    ///
    /// Loads the native ONNX Runtime library on first use (see [`crate::native`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load(model_bytes: &[u8], spec: JudgeSpec) -> Result<Judge, JudgeError> {
        Judge::load_with(model_bytes, spec, &JudgeOptions::default())
    }

    /// [`Judge::load`] with explicit options.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load_with(model_bytes: &[u8], spec: JudgeSpec, options: &JudgeOptions) -> Result<Judge, JudgeError> {
        let featurizer = prepare(&spec, options)?;
        let environment = crate::native::environment()?;
        let mut builder = Session::builder(&environment).map_err(runtime_error)?;
        if let Some(threads) = options.intra_threads {
            builder = builder.with_intra_threads(threads).map_err(runtime_error)?;
        }
        let session = builder.commit_from_memory(model_bytes).map_err(|e| JudgeError::Model(e.to_string()))?;
        Judge::checked(session, spec, featurizer, options)
    }

    /// Loads a model; the only way on the web, where ONNX Runtime Web must first be set up
    /// with `web::init`. Natively the same as `Judge::load_with`.
    pub async fn load_async(model_bytes: &[u8], spec: JudgeSpec, options: &JudgeOptions) -> Result<Judge, JudgeError> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            Judge::load_with(model_bytes, spec, options)
        }
        #[cfg(target_arch = "wasm32")]
        {
            let featurizer = prepare(&spec, options)?;
            let session = crate::web::session_from_memory(model_bytes).await?;
            Judge::checked(session, spec, featurizer, options)
        }
    }

    fn checked(
        session: Session,
        spec: JudgeSpec,
        featurizer: Inputs,
        options: &JudgeOptions,
    ) -> Result<Judge, JudgeError> {
        check_contract(session.inputs(), session.outputs(), &spec)?;
        let batch_size = options.batch_size.min(spec.max_batch_size.unwrap_or(usize::MAX));
        Ok(Judge { spec, featurizer, batch_size, session: SessionLock::new(session) })
    }

    pub fn spec(&self) -> &JudgeSpec {
        &self.spec
    }

    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Whether the judge calls an answer misaligned: `p_misaligned >= decision_threshold`.
    pub fn is_misaligned(&self, score: &JudgeScore) -> bool {
        score.p_misaligned >= self.spec.decision_threshold
    }

    /// Scores `(question, answer)` pairs, in order, one [`JudgeScore`] per pair. An answer
    /// with no text is scored as the empty string. Fails, with no partial result, if the
    /// model returns NaN or infinity for any answer.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn score(&self, pairs: &[(&str, &str)]) -> Result<Vec<JudgeScore>, JudgeError> {
        // A panic in another thread's run leaves the session itself intact.
        let mut session = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut scores = Vec::with_capacity(pairs.len());
        for (chunk_index, chunk) in pairs.chunks(self.batch_size).enumerate() {
            let outputs = session.run(self.inputs(chunk)?).map_err(|e| JudgeError::Run(e.to_string()))?;
            self.read_scores(&outputs, chunk.len(), chunk_index * self.batch_size, &mut scores)?;
        }
        Ok(scores)
    }

    /// `Judge::score` for code shared with the web, where runs are asynchronous.
    pub async fn score_async(&self, pairs: &[(&str, &str)]) -> Result<Vec<JudgeScore>, JudgeError> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.score(pairs)
        }
        #[cfg(target_arch = "wasm32")]
        {
            let mut session = self.session.lock().await;
            let run_options = ort::session::RunOptions::new().map_err(runtime_error)?;
            let mut scores = Vec::with_capacity(pairs.len());
            for (chunk_index, chunk) in pairs.chunks(self.batch_size).enumerate() {
                let mut outputs = session
                    .run_async(self.inputs(chunk)?, &run_options)
                    .await
                    .map_err(|e| JudgeError::Run(e.to_string()))?;
                // ort-web leaves outputs in JavaScript until asked: copy them into wasm memory.
                ort_web::sync_outputs(&mut outputs).await.map_err(|e| JudgeError::Run(e.to_string()))?;
                self.read_scores(&outputs, chunk.len(), chunk_index * self.batch_size, &mut scores)?;
            }
            Ok(scores)
        }
    }

    /// The padded input tensors for one batch, named as `judge.json` says.
    fn inputs(&self, pairs: &[(&str, &str)]) -> Result<Vec<(Cow<'_, str>, SessionInputValue<'static>)>, JudgeError> {
        let rows = pairs.len();
        let named =
            |role: &'static str, value: SessionInputValue<'static>| (Cow::Borrowed(self.spec.input_name(role)), value);
        Ok(match &self.featurizer {
            Inputs::HashedNgrams(featurizer) => {
                let (ids, counts, width) = featurizer.batch(pairs.iter().copied());
                vec![
                    named("ids", Tensor::from_array(([rows, width], ids)).map_err(runtime_error)?.into()),
                    named("counts", Tensor::from_array(([rows, width], counts)).map_err(runtime_error)?.into()),
                ]
            }
            Inputs::WordPiece(tokenizer) => {
                let (questions, q_width, answers, a_width) = tokenizer.batch(pairs.iter().copied());
                vec![
                    named(
                        "question_ids",
                        Tensor::from_array(([rows, q_width], questions)).map_err(runtime_error)?.into(),
                    ),
                    named("answer_ids", Tensor::from_array(([rows, a_width], answers)).map_err(runtime_error)?.into()),
                ]
            }
        })
    }

    /// Appends one score per row, after checking every output's type, size and values.
    /// `offset` is the index of the batch's first answer, for error messages.
    fn read_scores(
        &self,
        outputs: &SessionOutputs<'_>,
        rows: usize,
        offset: usize,
        scores: &mut Vec<JudgeScore>,
    ) -> Result<(), JudgeError> {
        let mut columns: [&[f32]; 4] = [&[]; 4];
        for (column, name) in columns.iter_mut().zip(self.spec.outputs.all()) {
            let bad = |message: String| JudgeError::BadOutput { output: name.to_string(), message };
            let value = outputs.get(name).ok_or_else(|| bad("missing from the model's results".to_string()))?;
            let (_, data) = value.try_extract_tensor::<f32>().map_err(|e| bad(e.to_string()))?;
            if data.len() != rows {
                return Err(bad(format!("{} values for a batch of {rows} answers", data.len())));
            }
            if let Some((index, value)) = data.iter().enumerate().find(|(_, value)| !value.is_finite()) {
                return Err(JudgeError::NotFinite { output: name.to_string(), index: offset + index, value: *value });
            }
            *column = data;
        }
        let [p_misaligned, aligned, coherent, p_unscored] = columns;
        scores.extend(p_misaligned.iter().zip(aligned).zip(coherent).zip(p_unscored).map(
            |(((&p_misaligned, &aligned), &coherent), &p_unscored)| JudgeScore {
                p_misaligned,
                aligned,
                coherent,
                p_unscored,
            },
        ));
        Ok(())
    }
}

/// Everything about loading that does not need ONNX Runtime.
fn prepare(spec: &JudgeSpec, options: &JudgeOptions) -> Result<Inputs, JudgeError> {
    spec.validate()?;
    if options.batch_size == 0 {
        return Err(JudgeError::Runtime("batch size must be at least 1".to_string()));
    }
    spec.featurizer()
}

fn runtime_error(e: impl std::fmt::Display) -> JudgeError {
    JudgeError::Runtime(e.to_string())
}

/// Checks the session's inputs and outputs against `judge.json`, reporting every mismatch.
pub(crate) fn check_contract(inputs: &[Outlet], outputs: &[Outlet], spec: &JudgeSpec) -> Result<(), JudgeError> {
    let mut problems = Vec::new();

    let roles = spec.featurizer.input_roles();
    let names: Vec<&str> = roles.iter().map(|(role, _)| spec.input_name(role)).collect();
    check_names("inputs", &names, inputs, true, &mut problems);
    for (&name, &(_, element_type)) in names.iter().zip(roles) {
        if let Some(outlet) = inputs.iter().find(|outlet| outlet.name() == name) {
            check_tensor("input", outlet, element_type, |dims| dims.len() == 2, "[batch, n]", &mut problems);
        }
    }

    check_names("outputs", &spec.outputs.all(), outputs, false, &mut problems);
    for name in spec.outputs.all() {
        if let Some(outlet) = outputs.iter().find(|outlet| outlet.name() == name) {
            let batch_shaped =
                |dims: &[i64]| dims.len() == 1 || (dims.len() == 2 && matches!(dims.get(1), Some(1 | -1)));
            check_tensor(
                "output",
                outlet,
                TensorElementType::Float32,
                batch_shaped,
                "[batch] or [batch, 1]",
                &mut problems,
            );
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(JudgeError::Contract(problems))
    }
}

/// Every name in `expected` must be in `actual`; with `exact`, nothing else may be (the judge
/// cannot feed inputs it does not know; extra outputs are harmless).
fn check_names(group: &str, expected: &[&str], actual: &[Outlet], exact: bool, problems: &mut Vec<String>) {
    let missing = expected.iter().any(|name| !actual.iter().any(|outlet| outlet.name() == *name));
    let unexpected = exact && actual.iter().any(|outlet| !expected.contains(&outlet.name()));
    if missing || unexpected {
        problems.push(format!(
            "{group}: judge.json expects {}, the model has {}",
            quoted(expected.iter().copied()),
            quoted(actual.iter().map(Outlet::name))
        ));
    }
}

fn check_tensor(
    role: &str,
    outlet: &Outlet,
    element_type: TensorElementType,
    shape_ok: impl Fn(&[i64]) -> bool,
    shape_wanted: &str,
    problems: &mut Vec<String>,
) {
    let name = outlet.name();
    let ValueType::Tensor { ty, shape, .. } = outlet.dtype() else {
        problems.push(format!("{role} `{name}` is not a tensor ({:?})", outlet.dtype()));
        return;
    };
    if *ty != element_type {
        problems.push(format!("{role} `{name}` is {}, expected {}", type_name(*ty), type_name(element_type)));
    }
    // ONNX Runtime Web reports no shape for some models (an empty one here); the size check
    // on every run's results still applies.
    let shape_known = !shape.is_empty() || cfg!(not(target_arch = "wasm32"));
    if shape_known && !shape_ok(shape) {
        problems.push(format!("{role} `{name}` has shape {}, expected {shape_wanted}", shape_text(shape)));
    }
}

fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|name| format!("`{name}`")).collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

fn type_name(ty: TensorElementType) -> String {
    format!("{ty:?}").to_lowercase()
}

fn shape_text(dims: &[i64]) -> String {
    let dims: Vec<String> = dims.iter().map(|&d| if d < 0 { "?".to_string() } else { d.to_string() }).collect();
    format!("[{}]", dims.join(", "))
}
