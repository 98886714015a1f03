//! Statistics: streaming, mergeable accumulators (means with confidence intervals, quantile histograms).
