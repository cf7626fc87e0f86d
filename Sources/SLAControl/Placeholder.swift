// Placeholder until the SLAControl target lands.
