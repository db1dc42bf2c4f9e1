#!/usr/bin/env bash
# Record an incident in headful Chromium with real X input (xdotool), then
# check what reached the server. Not part of `make test`: see
# extension/README.md, "Recorded with real input".
#
# Needs: apt-get install -y --no-install-recommends xvfb xdotool imagemagick
# Usage: tests/manual/hand_recording.sh [WORK_DIR]   (default /tmp/ledgerium-hand)
# Ports and display can be changed with APP_PORT, PAGES_PORT and DISPLAY_NUMBER.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-/tmp/ledgerium-hand}
APP_PORT=${APP_PORT:-41731}
PAGES_PORT=${PAGES_PORT:-41732}
DISPLAY_NUMBER=${DISPLAY_NUMBER:-57}
APP=http://127.0.0.1:$APP_PORT
PAGES=http://127.0.0.1:$PAGES_PORT
PY=$REPO/.venv/bin/python
export DISPLAY=:$DISPLAY_NUMBER
# A throwaway database and media folder: nothing touches the repository's var/.
export DATABASE_URL=sqlite:///$WORK/db.sqlite3
export LEDGERIUM_MEDIA_ROOT=$WORK/media
export LEDGERIUM_SITE_URL=$APP
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# -- Input, as a person gives it ------------------------------------------------
# Screen coordinates are for a 1280x1000 screen with the window at 0,0.
click() { xdotool mousemove --sync "$1" "$2" sleep 0.2 click 1; sleep "${3:-0.6}"; }
key() { xdotool key --delay 120 "$@"; sleep 0.5; }
typ() { xdotool type --delay 70 -- "$1"; sleep 0.4; }
go() { key ctrl+l; typ "$1"; key Return; sleep "${2:-2}"; }
shot() { import -window root "$WORK/$1.png"; echo "screenshot $WORK/$1.png"; }
tab() { key "ctrl+$1"; sleep 0.6; }

# The popup page, open in tab 3.
POPUP_TITLE=(182 196) POPUP_START=(71 232)
POPUP_PAUSE=(43 215) POPUP_STOP=(103 215)
POPUP_LOG=(46 282) POPUP_TRIAGE=(109 282) POPUP_INVESTIGATE=(196 282)
POPUP_RESOLVE=(291 282) POPUP_NOTE=(182 392) POPUP_ADD_NOTE=(53 442)

start_everything() {
  rm -rf "$WORK" && mkdir -p "$WORK/profile"
  (cd "$REPO" && "$PY" manage.py migrate --noinput >"$WORK/migrate.log" 2>&1)
  (cd "$REPO" && "$PY" manage.py demo_setup >"$WORK/demo.log" 2>&1)
  (cd "$REPO" && exec "$PY" manage.py runserver --noreload "127.0.0.1:$APP_PORT" \
    >"$WORK/server.log" 2>&1) &
  PIDS+=($!)
  (cd "$REPO/tests/e2e/pages" && exec "$PY" -m http.server "$PAGES_PORT" \
    --bind 127.0.0.1 >"$WORK/pages.log" 2>&1) &
  PIDS+=($!)
  Xvfb ":$DISPLAY_NUMBER" -screen 0 1280x1000x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
  PIDS+=($!)
  sleep 3
  # Every host but loopback resolves to nothing: the browser reaches no network.
  /usr/bin/chromium --no-sandbox --disable-gpu --no-first-run --disable-sync \
    --disable-background-networking --disable-component-update \
    --no-default-browser-check --password-store=basic \
    --user-data-dir="$WORK/profile" --load-extension="$REPO/extension" \
    --window-position=0,0 --window-size=1280,1000 \
    --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" \
    about:blank >"$WORK/chromium.log" 2>&1 &
  PIDS+=($!)
  sleep 6
  click 1249 114 # close the infobar about the resolver flag
}

extension_id() {
  for _ in $(seq 30); do
    grep -qs "$REPO/extension" "$WORK/profile/Default/Preferences" && break
    sleep 1
  done
  "$PY" - "$WORK/profile/Default/Preferences" "$REPO/extension" <<'PYEOF'
import json, sys
settings = json.load(open(sys.argv[1]))["extensions"]["settings"]
print(next(key for key, value in settings.items() if value.get("path") == sys.argv[2]))
PYEOF
}

log_in_and_connect() {
  go "$APP/accounts/login/" 3
  click 639 353 && typ demo@ledgerium.test
  click 639 431 && typ ledgerium-demo
  key Return && sleep 3
  click 763 374 # "Never" in Chromium's offer to save the password
  go "$APP/extension/" 3
  shot 01-extension-page
  click 228 800 1.5 # Connect the extension
  sleep 4           # a person reads the dialog before confirming
  shot 02-confirm
  click 801 269 2 # OK
  shot 03-connected
}

record_incident() {
  local popup=$1
  key ctrl+t && go "$PAGES/itsm.html" 2              # tab 2: the ITSM
  key ctrl+t && go "$popup" 2                        # tab 3: the popup
  click "${POPUP_TITLE[@]}" && typ "INC0010042 VPN down for the Paris office"
  click "${POPUP_START[@]}" 1.5                      # records tab 2, the last web tab
  click "${POPUP_LOG[@]}"
  shot 04-started
  tab 2
  click 104 223 && typ HANDTYPED-1                   # Caller
  click 104 276 && typ HANDTYPED-2                   # Short description
  click 104 337 && typ HANDTYPED-3                   # Description
  click 623 373 && typ HANDTYPED-4                   # Work notes (contenteditable)
  key Tab && key Down Down                           # Severity by keyboard: 2 - High
  click 132 456 1 && shot 05-category-open && click 115 504 # Category by mouse: Network
  key Tab && typ N                                   # Team by type-ahead
  tab 3 && click "${POPUP_TRIAGE[@]}" && tab 2
  click 39 563                                       # Impact: Whole site
  click 26 636                                       # Major incident
  click 222 663 1 && shot 06-combobox && click 69 699 # Affected service: VPN gateway
  click 324 667                                      # the unnamed paperclip button
  click 104 716 && typ HANDTYPED-5                   # Admin password
  click 267 747 && typ HANDTYPED-6                   # knowledge search, in the iframe
  shot 07-kb-typed
  click 120 769 && click 285 769                     # Search for "…", Use this article
  click 156 854 && typ HANDTYPED-7                   # Reason, in the shadow root
  click 21 873                                       # Acknowledge alert
  tab 3 && click "${POPUP_INVESTIGATE[@]}"
  click "${POPUP_NOTE[@]}" && typ "Asked the network team on the bridge, note NOTE-KEPT-1"
  click "${POPUP_ADD_NOTE[@]}" && shot 08-note
  click "${POPUP_PAUSE[@]}" && shot 09-paused && tab 2
  click 104 276 && key End && typ " HANDTYPED-8"    # typed while paused
  click 39 589                                       # One team, while paused
  tab 3 && click "${POPUP_PAUSE[@]}" && tab 2        # Resume sits where Pause was
  click 390 663 1.5                                  # Save incident: the SPA route
  click 160 110 2                                    # Open monitoring: new tab 3
  shot 10-monitoring && click 57 178                 # Silence alert
  tab 2                                              # back to the ITSM
  tab 4 && click "${POPUP_RESOLVE[@]}" && shot 11-before-stop
  click "${POPUP_STOP[@]}" 1.5 && shot 12-review
  click 256 388 1 && shot 13-dropped                 # drop step 7
  click 86 587 5 && shot 14-finished                 # Finish and generate
}

main() {
  start_everything
  local id
  id=$(extension_id)
  log_in_and_connect
  record_incident "chrome-extension://$id/popup/popup.html"
  sleep 5
  (cd "$REPO" && "$PY" tests/manual/hand_recording_check.py "$WORK" 32 7 NOTE-KEPT-1 \
    HANDTYPED-1 HANDTYPED-2 HANDTYPED-3 HANDTYPED-4 HANDTYPED-5 HANDTYPED-6 \
    HANDTYPED-7 HANDTYPED-8)
}

main "$@"
