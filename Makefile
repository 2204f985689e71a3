# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STAGE ?= dev

.PHONY: run test soak soak-core soak-webhooks fuzz bench specs template package deploy destroy smoke smoke-local clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "servicedesk needs Python 3.11 or newer; $(PYTHON) is Python " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"  # chalice 1.34 needs pip < 26.3
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)  ## start the service on its embedded AWS stand-in
	$(PY) -m local.run

test: $(STAMP)  ## lint, then the whole test suite (the soak run is `make soak`)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -m "not soak" $(PYTEST_ARGS)

soak: $(STAMP)  ## 2,000+ writes by 8 clients against the stack as make run starts it, then the webhooks' soak
	$(PY) -m pytest -m soak -s $(PYTEST_ARGS)

soak-core: $(STAMP)  ## the soak runs but the webhooks' (what CI runs)
	$(PY) -m pytest -m soak -s --ignore=tests/test_soak_webhooks.py $(PYTEST_ARGS)

soak-webhooks: $(STAMP)  ## 1,000 changes over every API, delivered to 3 endpoints on loopback
	$(PY) -m pytest -m soak -s tests/test_soak_webhooks.py $(PYTEST_ARGS)

fuzz: $(STAMP)  ## schemathesis over every spec against the running stack, with its links
	$(PY) -m local.fuzz

bench: $(STAMP)  ## DynamoDB calls per request, warm overhead, cold import
	$(PY) -m bench

specs: $(STAMP)  ## copy openapi/*.yaml into the Lambda package as JSON
	$(PY) -m local.build_specs

template: $(STAMP)  ## regenerate .chalice/resources.json (tables from the models, etc.)
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(PY) -m deploy.template

package: $(STAMP)  ## the deployable artifact and its template, in build/$(STAGE)/
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(PY) -m deploy.package build/$(STAGE) $(STAGE)

deploy: $(STAMP)  ## STAGE=dev [MAIL_FROM=...] [ALARM_EMAIL=...] [PUBLIC_BASE_URL=...]: one stage
	$(PY) -m deploy.stage deploy --stage $(STAGE) $(if $(MAIL_FROM),--mail-from $(MAIL_FROM)) \
	  $(if $(ALARM_EMAIL),--alarm-email $(ALARM_EMAIL)) \
	  $(if $(PUBLIC_BASE_URL),--public-base-url $(PUBLIC_BASE_URL))

destroy: $(STAMP)  ## STAGE=dev: delete a stage's stack (never prod)
	$(PY) -m deploy.stage destroy --stage $(STAGE)

smoke: $(STAMP)  ## URL=... CLIENT_ID=... CLIENT_SECRET=...: end-to-end check of a stage
	$(PY) -m deploy.smoke "$(URL)" "$(CLIENT_ID)" "$(CLIENT_SECRET)"

smoke-local: $(STAMP)  ## make smoke against make run (started and stopped here)
	$(PY) -m local.smoke

clean:
	rm -rf $(VENV) build .pytest_cache
