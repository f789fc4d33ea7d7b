#!/bin/sh
# Start as root only long enough to make the data folder the bot's own, then drop privileges.
# A fresh Fly volume is mounted at /data owned by root; the bot runs as an unprivileged user.
set -eu

data_dir="${FITCOACH_DATA_DIR:-/data}"
run_as="${FITCOACH_USER:-fitcoach}"

if [ "$(id -u)" = "0" ]; then
    mkdir -p "$data_dir"
    uid="$(id -u "$run_as")"
    gid="$(id -g "$run_as")"
    # Only the top folder and what it holds at the first level: a large volume is not walked.
    if [ "$(stat -c %u "$data_dir")" != "$uid" ]; then
        chown "$uid:$gid" "$data_dir"
    fi
    find "$data_dir" -mindepth 1 -maxdepth 1 ! -user "$uid" -exec chown "$uid:$gid" {} +
    chmod 0750 "$data_dir"
    exec setpriv --reuid="$uid" --regid="$gid" --init-groups -- "$@"
fi
exec "$@"
