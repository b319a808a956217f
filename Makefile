# The README's two commands: `make run` and `make test`.  Both need only
# python3 and make: the first use creates .venv and installs into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test typecheck trial docs bench clean

$(STAMP): setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --config-settings editable_mode=compat -e '.[test,docs]'
	touch $(STAMP)

# The chat demo: the page and its WebSocket on one port, open to pages
# served from that port only.
RUN_ARGS ?= --listen tcp:8080:interface=127.0.0.1 --mode ws --app broadcast \
	--web-root qtwisted/demo \
	--allow-origin http://127.0.0.1:8080 --allow-origin http://localhost:8080

run: $(STAMP)
	$(BIN)/twistd --pidfile= -n qtwisted $(RUN_ARGS) $(ARGS)

test: $(STAMP)
	$(BIN)/mypy
	$(BIN)/python -m twisted.trial $(TRIAL_ARGS) tests

docs: $(STAMP)
	$(BIN)/pydoctor --config=docs/pydoctor.ini

bench: $(STAMP)
	$(BIN)/python bench/tcp_echo.py

clean:
	rm -rf $(VENV) _trial_temp* apidocs build dist *.egg-info
