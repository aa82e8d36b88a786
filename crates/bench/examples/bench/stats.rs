//! Percentiles and summaries of timed samples, computed as the figures
//! have always been: nearest-rank percentiles, the median of the middle two
//! for an even count.

use serde::Serialize;

/// The nearest-rank percentile `p` (0–100) of samples sorted ascending;
/// `sorted` must not be empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    // The same floating-point steps as `ceil(p / 100 * n)`, so that the
    // rank never differs from earlier runs' by a rounding.
    let rank = ((p / 100.0 * sorted.len() as f64).ceil() as usize).max(1);
    sorted[rank - 1]
}

/// The median: the middle sample, or the mean of the middle two.
pub fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let sorted = sorted(samples);
    let middle = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 { sorted[middle] } else { (sorted[middle - 1] + sorted[middle]) / 2.0 })
}

pub fn mean(samples: &[f64]) -> Option<f64> {
    (!samples.is_empty()).then(|| samples.iter().sum::<f64>() / samples.len() as f64)
}

pub fn sorted(samples: &[f64]) -> Vec<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// How many samples, and (when there are any) their spread in milliseconds.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub n: usize,
    #[serde(flatten)]
    pub times: Option<Times>,
}

#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct Times {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// The summary of samples taken in seconds.
pub fn summary_ms(samples: &[f64]) -> Summary {
    let sorted = sorted(samples);
    let Some(max) = sorted.last() else {
        return Summary::default();
    };
    Summary {
        n: sorted.len(),
        times: Some(Times {
            p50_ms: percentile(&sorted, 50.0) * 1e3,
            p99_ms: percentile(&sorted, 99.0) * 1e3,
            max_ms: max * 1e3,
            mean_ms: mean(&sorted).unwrap_or_default() * 1e3,
        }),
    }
}
