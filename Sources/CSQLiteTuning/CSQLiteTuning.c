#include <sqlite3.h>

#include "CSQLiteTuning.h"

int slad_sqlite_configure(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
