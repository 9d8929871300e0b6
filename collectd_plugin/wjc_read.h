/* The read callback of one account: fetch the status lists, dispatch the
 * values, and log when reads start failing and when they work again. */
#ifndef WJC_READ_H
#define WJC_READ_H

#include "wjc_collectd.h"

/* Reads the account in user_data->data (a struct wjc_account) once, within
 * its Timeout. Returns 0 even when the API read fails: the failure is
 * counted in errors-api and logged here, and a non-zero return would make
 * collectd suspend the callback for ever longer intervals. */
int wjc_read(user_data_t *user_data);

#endif
