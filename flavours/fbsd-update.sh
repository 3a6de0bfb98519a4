#!/bin/sh
# Bring the base up to the latest patch level of its release (used by create-base).
# freebsd-update normally refuses to run outside cron and pages its output.
PAGER=/bin/cat
export PAGER
exec freebsd-update --not-running-from-cron fetch install
