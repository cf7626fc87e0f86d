// libsystemd as Swift sees it: the journal's native protocol and the service manager's
// notification, socket-activation and watchdog calls. Everything variadic (sd_journal_send,
// sd_journal_print, sd_notifyf) is unavailable in Swift; slad uses sd_journal_sendv and sd_notify.
#ifndef SLAD_CSYSTEMD_SHIM_H
#define SLAD_CSYSTEMD_SHIM_H

#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#endif
