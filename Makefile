# cogmail: README's two commands are `make invoke` and `make test`.

SHELL := bash
BIN   := $(CURDIR)/.bin
EVENT ?= events/forgot-password.json

# The Go release everything here is built and tested with, and so what
# ships: go.mod's Go with its latest security fixes. The go command fetches
# it through the module proxy on first use (a machine whose go.env says
# GOTOOLCHAIN=local would otherwise keep an older patch release).
GO_RELEASE := go1.26.10
export GOTOOLCHAIN := $(GO_RELEASE)

# Pinned tools, installed into .bin by `make tools` (and by the targets that need them).
RIE_VERSION         := v0.0.0-20261030222936-bef5c4ba774d
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK_VERSION := v1.9.0
# The Go vulnerability database, as the golang.org/x/vulndb module: its
# indexdb command turns the module's OSV files into the database govulncheck
# reads, so no other host is needed. Bump with
# `go list -m golang.org/x/vulndb@latest`.
VULNDB_VERSION      := v0.0.0-20261105234957-e22db6528018
VULNDB              := $(BIN)/vulndb-$(VULNDB_VERSION)

# The function as Lambda runs it: static, no RPC shim, reproducible paths.
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags=-s\ -w

.PHONY: vulncheck local-forgot e2e help tools invoke render test check vet fmt-check staticcheck lint build build-local bench fuzz golden clean build-CogmailFunction node-deps build-page local-up local-down build-PageFunction preview coldstart build-NotifierFunction build-notifier build-SenderFunction build-sender build-RotationFunction build-rotate

# A bare `make` prints the targets; nothing runs by surprise.
.DEFAULT_GOAL := help

# End-to-end only: cognito-local, the emulator, the page and Chromium.
# Screenshots are kept under build/e2e.
e2e: tools node-deps ## end-to-end tests only: cognito-local, the emulator, the page, Chromium
	go test ./lambda/dev/e2e -count=1 -timeout 30m -run E2E -v -artifacts -outputdir $(CURDIR)/build/e2e

# Every target with a `## text` comment on its line, in the Makefile's order.
help: ## this list
	@echo "usage: make TARGET   (EVENT=events/….json for invoke and render; EMAIL=… LOCALE=… for local-forgot)"
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | awk 'BEGIN {FS = ":.*## "} {printf "  %-22s %s\n", $$1, $$2}'

tools: $(BIN)/aws-lambda-rie $(BIN)/staticcheck ## the pinned Go tools (emulator, staticcheck) into .bin/

$(BIN)/aws-lambda-rie:
	GOBIN=$(BIN) go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

$(BIN)/staticcheck:
	GOBIN=$(BIN) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# The function for this machine, to run under the emulator.
build-local: ## the function for this machine, in build/local/
	CGO_ENABLED=0 go build $(LAMBDA_FLAGS) -o build/local/bootstrap ./lambda/cmd/bootstrap

invoke: build-local $(BIN)/aws-lambda-rie ## render EVENT through the Lambda Runtime Interface Emulator (README's first command)
	go run ./lambda/dev/cmd/invoke -bootstrap build/local/bootstrap -event $(EVENT) -out build/invoke

render: ## the same answer through `cogmail render`, no emulator
	go run ./lambda/cmd/cogmail render $(EVENT)

# The local stack's Node packages (cognito-local, playwright-core), exactly as
# locked; reinstalled when package-lock.json changes. npm writes
# node_modules/.package-lock.json on every install: it serves as the stamp.
node-deps: infra/local/node_modules/.package-lock.json ## the local stack's npm packages, exactly as locked

infra/local/node_modules/.package-lock.json: infra/local/package-lock.json infra/local/package.json
	npm ci --prefix infra/local
	@touch $@

# The notifier for this machine, to run under the emulator.
build-notifier: ## the notifier function for this machine, in build/local/
	CGO_ENABLED=0 go build $(LAMBDA_FLAGS) -o build/local/notifier ./lambda/cmd/notifier

# The Custom Email Sender function for this machine, to run under the
# emulator. Its first build compiles the AWS Encryption SDK: minutes.
build-sender: ## the Custom Email Sender function for this machine, in build/local/
	CGO_ENABLED=0 go build $(LAMBDA_FLAGS) -o build/local/sender ./lambda/cmd/sender

# The keyring's Secrets Manager rotation function for this machine.
build-rotate: ## the keyring rotation function for this machine, in build/local/
	CGO_ENABLED=0 go build $(LAMBDA_FLAGS) -o build/local/rotate ./lambda/cmd/rotate

# The page server the local stack's emails link to.
build-page: ## the reset page server, in build/local/
	go build -o build/local/page ./lambda/dev/cmd/page

# The function, cognito-local and the page server on 127.0.0.1, left running
# in the background, and, where moto_server is on PATH, the notifier with
# moto_server (SES, DynamoDB, SQS); build/local/stack.json describes them.
# MODE=custom-email-sender runs the sender in the function's place, as
# cognito-local's Custom Email Sender, with moto_server's KMS and SES.
local-up: build-local build-page build-notifier $(if $(filter custom-email-sender,$(MODE)),build-sender) node-deps $(BIN)/aws-lambda-rie ## start the emulators, cognito-local, moto_server and the page on 127.0.0.1 (MODE=custom-email-sender: the sender)
	go run ./lambda/dev/cmd/localstack up -bootstrap build/local/bootstrap -page build/local/page -notifier build/local/notifier $(if $(MODE),-mode $(MODE) -sender build/local/sender)

# Asks for a reset email on the running stack and prints its link.
EMAIL ?= ana@example.com
local-forgot: ## ask the running stack for a reset email (EMAIL=… LOCALE=…) and print its link
	go run ./lambda/dev/cmd/localstack forgot $(EMAIL) $(LOCALE)

local-down: ## stop the local stack
	go run ./lambda/dev/cmd/localstack down

test: tools node-deps fmt-check vet staticcheck vulncheck check ## format check, vet, staticcheck, cogmail check and every test (README's second command)
	go test ./... -count=1 -timeout 30m

# Every tenant × language × message through the output gate.
check: ## every tenant × language × message through the output gate
	go run ./lambda/cmd/cogmail check -failures

# A gallery of every tenant × language × message, light and dark side by
# side, with sizes and gate results; prints the path of its index.html.
preview: ## the gallery of every email, in build/preview/
	go run ./lambda/cmd/cogmail preview --out build/preview

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.bin/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: ## go vet
	go vet ./...

staticcheck: $(BIN)/staticcheck ## staticcheck
	$(BIN)/staticcheck ./...

# Known vulnerabilities in the code paths cogmail calls, standard library
# included, from the pinned database.
vulncheck: $(BIN)/govulncheck $(VULNDB) ## govulncheck against the pinned Go vulnerability database
	$(BIN)/govulncheck -db file://$(VULNDB) ./...

$(BIN)/govulncheck:
	GOBIN=$(BIN) go install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

$(VULNDB):
	GOBIN=$(BIN) go install golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION)
	rm -rf $@.tmp && $(BIN)/indexdb -vulns "$$(go env GOMODCACHE)/golang.org/x/vulndb@$(VULNDB_VERSION)/data/osv" -out $@.tmp && mv $@.tmp $@

# cfn-lint (with the SAM translator) cannot come from the registries this
# project uses; where it is absent the deploy test skips and says so.
lint: ## cfn-lint on template.yaml
	cfn-lint template.yaml

# The deployed function, and its size for BENCHMARKS.md.
build: ## the deployable bootstrap (arm64), in build/
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $(LAMBDA_FLAGS) -o build/bootstrap ./lambda/cmd/bootstrap
	@ls -l build/bootstrap | awk '{print "build/bootstrap: " $$5 " bytes"}'

# Run by `sam build` (template Metadata: BuildMethod: makefile); SAM sets ARTIFACTS_DIR.
build-CogmailFunction: ## run by `sam build` for the trigger
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./lambda/cmd/bootstrap

# Run by `sam build` for the reset page's function.
build-PageFunction: ## run by `sam build` for the page
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./lambda/cmd/pagefn

# Run by `sam build` for the notifier.
build-NotifierFunction: ## run by `sam build` for the notifier
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./lambda/cmd/notifier

# Run by `sam build` for the Custom Email Sender function.
build-SenderFunction: ## run by `sam build` for the Custom Email Sender function
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./lambda/cmd/sender

# Run by `sam build` for the keyring's rotation function.
build-RotationFunction: ## run by `sam build` for the keyring's Secrets Manager rotation function
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./lambda/cmd/rotate

bench: ## the benchmarks of BENCHMARKS.md
	go test ./lambda/handler -run '^$$' -bench . -benchmem -count 5

# Cold start against an empty Go function built with the same flags: 20
# emulator starts of each until their first answer, alternating (BENCHMARKS.md).
coldstart: build-local $(BIN)/aws-lambda-rie ## cogmail's cold start against an echo function's, and package init
	CGO_ENABLED=0 go build $(LAMBDA_FLAGS) -o build/local/echo ./lambda/dev/rie/testdata/echo
	go run ./lambda/dev/cmd/coldstart -bootstrap build/local/bootstrap -echo build/local/echo -event $(EVENT)

fuzz: ## fuzz the handler for 60 s
	go test ./lambda/handler -run '^$$' -fuzz FuzzHandler -fuzztime 60s

golden: ## rewrite the golden answers in events/golden
	go test ./... -count=1 -update

clean: ## remove build/
	rm -rf build
