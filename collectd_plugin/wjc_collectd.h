/* The collectd 5.12 daemon headers the plugin uses, in the order they need:
 * collectd.h first, because it pulls in collectd's config.h (compiled with
 * -DHAVE_CONFIG_H), which the others rely on. Only the plugin's own sources
 * include this file, so collectd's macros (PACKAGE_NAME, PACKAGE_VERSION,
 * VERSION, ERROR, ...) never reach common/. */
#ifndef WJC_COLLECTD_H
#define WJC_COLLECTD_H

#include "core/daemon/collectd.h"
#include "core/daemon/plugin.h"
#include "core/daemon/utils_complain.h"

#endif
