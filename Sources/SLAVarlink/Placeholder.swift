// Placeholder until the SLAVarlink target lands.
