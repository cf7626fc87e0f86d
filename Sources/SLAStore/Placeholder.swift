// Placeholder until the SLAStore target lands.
