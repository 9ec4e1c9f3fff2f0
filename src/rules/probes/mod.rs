//! The probe rules. The probe model they share (validation as the API server does it, ports
//! as the kubelet resolves them, which workloads need probes) is `crate::model::probes`.

mod identical;
mod invalid;
mod missing;

pub(crate) use identical::IdenticalProbes;
pub(crate) use invalid::{InvalidProbe, ProbePortNotDeclared};
pub(crate) use missing::{LivenessWithoutReadiness, MissingLivenessProbe, MissingReadinessProbe};
