//! Helm's own cases for the chart model (helm/helm v3.21.4), and hostile inputs.
