# Thin aliases for ./dev, which does the work (and installs what each step needs).
.PHONY: serve test lint bench install
serve test lint bench install:
	./dev $@
