// Placeholder until the daemon lands.
