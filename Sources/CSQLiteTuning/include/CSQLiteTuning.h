#ifndef SLAD_CSQLITETUNING_H
#define SLAD_CSQLITETUNING_H

/// Sets SQLite's process-wide options slad wants, before SQLite initialises: no memory statistics,
/// which otherwise take a global lock on every allocation SQLite makes. sqlite3_config is variadic,
/// which Swift cannot call, hence this file.
///
/// Returns SQLITE_OK, or SQLITE_MISUSE when SQLite was already initialised (the options then stay
/// as they were, which is safe, only slower).
int slad_sqlite_configure(void);

#endif
