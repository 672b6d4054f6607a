//! Sample-quality metrics: a small MNIST classifier, classifier-feature FID and class coverage.
