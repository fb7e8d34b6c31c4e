# The two Quick-start commands. Both create .venv and install everything they need.
PY := .venv/bin/python

.PHONY: install install-browser demo test bench

install:
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt

# Debian Chromium (+ a CJK font for the Chinese UI) for the real-browser tests (root only; the tests skip
# with a reason without it).
install-browser:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi wqy; then echo "chromium present"; \
	elif [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	else echo "not root: skipping Chromium (browser tests will be skipped)"; fi

demo: install
	$(PY) app.py

test: install install-browser
	$(PY) -m pytest -q -p no:cacheprovider

bench: install
	$(PY) -m bench serve
