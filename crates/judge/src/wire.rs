//! How the app's main module and its judge module (`crates/judge-web`) talk: the main module has
//! no ONNX Runtime and does not parse `judge.json`; it hands the judge module bytes and gets back
//! a [`JudgeInfo`] and scores. Texts cross as one UTF-8 buffer with end offsets ([`pack`]), and
//! scores as four `f32` per answer ([`scores_to_floats`]), so a batch is three typed arrays, not
//! hundreds of JavaScript strings.

use probe_core::agreement::Calibration;
use serde::{Deserialize, Serialize};

use crate::JudgeScore;

/// What the main module needs to know of a loaded judge, from its `judge.json` and options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeInfo {
    pub name: String,
    pub version: String,
    /// An answer is misaligned by the judge when `p_misaligned >= decision_threshold`.
    pub decision_threshold: f32,
    /// Answers per model run.
    pub batch_size: usize,
    /// Its error per validation source (`JudgeSpec::error_by_source`); empty when it publishes none.
    pub calibration: Vec<Calibration>,
}

impl JudgeInfo {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<JudgeInfo, String> {
        serde_json::from_str(text).map_err(|e| format!("the judge module described the judge unreadably: {e}"))
    }
}

#[cfg(feature = "runtime")]
impl JudgeInfo {
    /// The description of a loaded judge.
    pub fn of(judge: &crate::Judge) -> JudgeInfo {
        let spec = judge.spec();
        JudgeInfo {
            name: spec.name.clone(),
            version: spec.version.clone(),
            decision_threshold: spec.decision_threshold,
            batch_size: judge.batch_size(),
            // Checked when the spec was parsed.
            calibration: spec.error_by_source().unwrap_or_default(),
        }
    }
}

/// Pieces of bytes as one buffer and the end offset of each piece.
pub fn pack<B: AsRef<[u8]>>(pieces: impl IntoIterator<Item = B>) -> (Vec<u8>, Vec<u32>) {
    let mut bytes = Vec::new();
    let mut ends = Vec::new();
    for piece in pieces {
        bytes.extend_from_slice(piece.as_ref());
        ends.push(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
    }
    (bytes, ends)
}

/// [`pack`]'s pieces again; offsets that decrease or pass the buffer's end are an error.
pub fn unpack<'a>(bytes: &'a [u8], ends: &[u32]) -> Result<Vec<&'a [u8]>, String> {
    let mut start = 0usize;
    ends.iter()
        .map(|&end| {
            let end = end as usize;
            let piece = bytes
                .get(start..end)
                .ok_or_else(|| format!("piece {start}..{end} is outside a buffer of {} bytes", bytes.len()))?;
            start = end;
            Ok(piece)
        })
        .collect()
}

/// `(question, answer)` pairs as [`pack`]ed text: question, answer, question, answer, ...
pub fn pack_pairs(pairs: &[(&str, &str)]) -> (Vec<u8>, Vec<u32>) {
    pack(pairs.iter().flat_map(|(question, answer)| [question.as_bytes(), answer.as_bytes()]))
}

/// [`pack_pairs`]'s pairs again; an odd count of pieces or text that is not UTF-8 is an error.
pub fn unpack_pairs<'a>(bytes: &'a [u8], ends: &[u32]) -> Result<Vec<(&'a str, &'a str)>, String> {
    let pieces = unpack(bytes, ends)?;
    if pieces.len() % 2 != 0 {
        return Err(format!("{} texts do not make (question, answer) pairs", pieces.len()));
    }
    let text = |piece: &'a [u8]| std::str::from_utf8(piece).map_err(|e| format!("a text is not UTF-8: {e}"));
    pieces.chunks_exact(2).map(|pair| Ok((text(pair[0])?, text(pair[1])?))).collect()
}

/// Four numbers per answer, in [`JudgeScore`]'s field order.
pub fn scores_to_floats(scores: &[JudgeScore]) -> Vec<f32> {
    scores.iter().flat_map(|s| [s.p_misaligned, s.aligned, s.coherent, s.p_unscored]).collect()
}

/// [`scores_to_floats`]'s scores again, which must be `answers` of them.
pub fn scores_from_floats(values: &[f32], answers: usize) -> Result<Vec<JudgeScore>, String> {
    if values.len() != answers * 4 {
        return Err(format!("the judge returned {} numbers for {answers} answers (4 each)", values.len()));
    }
    Ok(values
        .chunks_exact(4)
        .map(|v| JudgeScore { p_misaligned: v[0], aligned: v[1], coherent: v[2], p_unscored: v[3] })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_cross_as_one_buffer_and_come_back_whole() {
        let pairs = [("Q1", "an answer"), ("", ""), ("日本語?", "ünïcødé 🙂\n\0")];
        let (bytes, ends) = pack_pairs(&pairs);
        assert_eq!(ends.len(), 6);
        assert_eq!(unpack_pairs(&bytes, &ends).unwrap(), pairs);
        assert_eq!(unpack_pairs(&[], &[]).unwrap(), []);
    }

    #[test]
    fn broken_offsets_and_text_are_errors_not_panics() {
        let (bytes, ends) = pack_pairs(&[("question", "answer")]);
        assert!(unpack_pairs(&bytes, &ends[..1]).unwrap_err().contains("pairs"));
        assert!(unpack(&bytes, &[3, 2]).unwrap_err().contains("outside"));
        assert!(unpack(&bytes, &[99]).unwrap_err().contains("outside a buffer of 14 bytes"));
        let ends = [1, 2];
        assert!(unpack_pairs(&[0xff, b'a'], &ends).unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn scores_cross_as_four_numbers_each() {
        let scores = [
            JudgeScore { p_misaligned: 0.9, aligned: 10.0, coherent: 80.0, p_unscored: 0.01 },
            JudgeScore { p_misaligned: 0.1, aligned: 95.0, coherent: 99.0, p_unscored: 0.7 },
        ];
        let values = scores_to_floats(&scores);
        assert_eq!(values, [0.9, 10.0, 80.0, 0.01, 0.1, 95.0, 99.0, 0.7]);
        assert_eq!(scores_from_floats(&values, 2).unwrap(), scores);
        assert!(scores_from_floats(&values, 3).unwrap_err().contains("8 numbers for 3 answers"));
    }

    #[test]
    fn judge_info_round_trips() {
        let info = JudgeInfo {
            name: "probe-judge-hashed-ngrams".into(),
            version: "3".into(),
            decision_threshold: 0.42,
            batch_size: 128,
            calibration: vec![Calibration { positives: 10, true_positives: 7, negatives: 90, false_positives: 4 }],
        };
        assert_eq!(JudgeInfo::from_json(&info.to_json()), Ok(info));
        assert!(JudgeInfo::from_json("{").unwrap_err().contains("unreadably"));
    }
}
