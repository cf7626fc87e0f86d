// Test-process support only: see spawn_workaround.c.
void slad_spawn_workaround_applied(void);
