package layout

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The functions Lambda runs. What they link is what ships.
var functions = []string{"lambda/cmd/bootstrap", "lambda/cmd/pagefn", "lambda/cmd/notifier", "lambda/cmd/sender", "lambda/cmd/rotate"}

// The AWS Encryption SDK, its material providers (with their runtime) and
// the KMS client: some 220,000 lines of generated Go that the Custom Email
// Sender alone needs, to decrypt Cognito's codes (lambda/codes).
var encryptionSDK = []string{
	"github.com/aws/aws-encryption-sdk", "github.com/aws/aws-cryptographic-material-providers-library",
	"github.com/dafny-lang/DafnyRuntimeGo", "github.com/aws/aws-sdk-go-v2/service/kms", "/lambda/codes",
}

// The SDK's S3 client: no function needs it (tenants come from S3 by single
// signed GETs, lambda/tenants3), and its package init would cost every cold
// start; only `cogmail tenants` links it.
const s3Client = "github.com/aws/aws-sdk-go-v2/service/s3"

// What each function must not link, by import path (a "/" prefix is the
// module's): the notifier's SES, DynamoDB and sending code stay out of the
// trigger, which Cognito waits on, and out of the page; the notifier needs
// neither the trigger's handler nor the page; the Encryption SDK is the
// sender's alone, and the sender needs none of the other functions'
// packages.
var mustNotLink = map[string][]string{
	"lambda/cmd/bootstrap": append([]string{"github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/aws/aws-sdk-go-v2/service/dynamodb",
		"/lambda/notify", "/lambda/mail", "/lambda/once", "/lambda/sender", s3Client}, encryptionSDK...),
	"lambda/cmd/pagefn": append([]string{"github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/aws/aws-sdk-go-v2/service/dynamodb",
		"/lambda/notify", "/lambda/mail", "/lambda/once", "/lambda/sender", s3Client}, encryptionSDK...),
	"lambda/cmd/notifier": append([]string{"/lambda/handler", "/lambda/page", "/lambda/sender", s3Client}, encryptionSDK...),
	"lambda/cmd/sender":   {"/lambda/handler", "/lambda/page", "/lambda/notify", s3Client},
	"lambda/cmd/rotate": append([]string{"github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/aws/aws-sdk-go-v2/service/dynamodb",
		"/lambda/handler", "/lambda/page", "/lambda/notify", "/lambda/sender", "/lambda/render", s3Client}, encryptionSDK...),
}

// linked returns the packages of deps under any of prefixes (a leading "/"
// stands for module).
func linked(module string, deps []pkg, prefixes []string) []string {
	var found []string
	for _, p := range deps {
		for _, prefix := range prefixes {
			if strings.HasPrefix(prefix, "/") {
				prefix = module + prefix
			}
			if under(p.path, prefix) {
				found = append(found, p.path)
			}
		}
	}
	return found
}

// The packages allowed to import development tooling outside test files:
// the tooling itself and the operator's CLI.
var toolingImporters = []string{"lambda/dev", "lambda/cmd/cogmail"}

// The modules a function may link besides cogmail and the standard library
// (go.mod's requirements, testify excepted: it is for tests only).
var shippedModules = []string{
	"github.com/aws/aws-lambda-go",
	"github.com/aws/aws-sdk-go-v2",
	"github.com/aws/smithy-go",
	"golang.org/x/text",
}

// The modules only some functions may link besides: the Encryption SDK's
// (mustNotLink keeps them out of the others).
var functionModules = map[string][]string{
	"lambda/cmd/sender": {
		"github.com/aws/aws-encryption-sdk", "github.com/aws/aws-cryptographic-material-providers-library",
		"github.com/dafny-lang/DafnyRuntimeGo", "github.com/google/uuid",
	},
}

// pkg is one line of `go list`: a package, whether it is in the standard
// library, its module, and what its non-test files import.
type pkg struct {
	path, module string
	standard     bool
	imports      []string
}

// goCmd runs the go command with extra environment and returns its output.
func goCmd(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: " + err.Error())
	}
	cmd := exec.Command(goTool, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go %s: %s", strings.Join(args, " "), stderr.String())
	return out
}

// goList lists packages (patterns are the module's import paths, so the
// test's working directory does not matter) with what their non-test files
// import.
func goList(t *testing.T, env []string, args ...string) []pkg {
	t.Helper()
	format := "{{.ImportPath}}\t{{.Standard}}\t{{with .Module}}{{.Path}}{{end}}\t{{join .Imports \" \"}}"
	out := goCmd(t, env, append([]string{"list", "-f", format}, args...)...)
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		require.Len(t, f, 4, "go list line %q", sc.Text())
		pkgs = append(pkgs, pkg{path: f[0], standard: f[1] == "true", module: f[2], imports: strings.Fields(f[3])})
	}
	require.NotEmpty(t, pkgs, "go list found no packages")
	return pkgs
}

func modulePath(t *testing.T) string {
	t.Helper()
	module := strings.TrimSpace(string(goCmd(t, nil, "list", "-m", "-f", "{{.Path}}")))
	require.NotEmpty(t, module)
	return module
}

// under reports whether import path p is dir or inside it.
func under(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// forbiddenInFunction returns, for each package of deps (a function's
// dependencies) that must not ship, the chain of imports that brings it in
// from root. allowed are modules this function may link besides
// shippedModules.
func forbiddenInFunction(module, root string, deps []pkg, allowed ...string) []string {
	importer := map[string]string{}
	for _, p := range deps {
		for _, imp := range p.imports {
			if _, seen := importer[imp]; !seen {
				importer[imp] = p.path
			}
		}
	}
	chain := func(p string) string {
		c := []string{p}
		for p != root && importer[p] != "" && len(c) < len(deps) {
			p = importer[p]
			c = append([]string{p}, c...)
		}
		return strings.Join(c, " → ")
	}
	var bad []string
	for _, p := range deps {
		switch {
		case p.standard:
		case p.module == module:
			if under(p.path, module+"/lambda/dev") {
				bad = append(bad, chain(p.path))
			}
		default:
			ok := false
			for _, m := range append(shippedModules, allowed...) {
				ok = ok || under(p.module, m)
			}
			if !ok {
				bad = append(bad, chain(p.path)+" (module "+p.module+")")
			}
		}
	}
	return bad
}

// toolingImports returns "importer → tooling" for each non-test import of a
// lambda/dev package by a package that may not have one.
func toolingImports(module string, pkgs []pkg) []string {
	var bad []string
	for _, p := range pkgs {
		exempt := false
		for _, dir := range toolingImporters {
			exempt = exempt || under(p.path, module+"/"+dir)
		}
		if exempt {
			continue
		}
		for _, imp := range p.imports {
			if under(imp, module+"/lambda/dev") {
				bad = append(bad, p.path+" → "+imp)
			}
		}
	}
	return bad
}

// TestShippedImportsNoTooling builds each function's dependency list as the
// deployed binary is built (linux/arm64, lambda.norpc) and as `make invoke`
// builds it for this machine: no lambda/dev package, and no module beyond
// the AWS SDK, aws-lambda-go and golang.org/x/text, may be in it.
func TestShippedImportsNoTooling(t *testing.T) {
	module := modulePath(t)
	builds := map[string][]string{
		"deployed": {"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"},
		"local":    {"CGO_ENABLED=0"},
	}
	for name, env := range builds {
		for _, fn := range functions {
			t.Run("case="+name+" "+fn, func(t *testing.T) {
				root := module + "/" + fn
				deps := goList(t, env, "-deps", "-tags", "lambda.norpc", root)
				paths := map[string]bool{}
				for _, p := range deps {
					paths[p.path] = true
				}
				// The list is the function's: its handler or page is in it.
				require.True(t, paths[root], "go list -deps %s does not list %s", root, root)
				require.True(t, paths[module+"/lambda/link"], "go list -deps %s does not list lambda/link", root)
				assert.Empty(t, forbiddenInFunction(module, root, deps, functionModules[fn]...),
					"%s links what must not ship; move the import into a test file or the code out of lambda/dev", fn)
				assert.Empty(t, linked(module, deps, mustNotLink[fn]), "%s links another function's packages", fn)
			})
		}
	}
}

// TestOnlyTestsImportTooling: outside lambda/dev and the operator's CLI, no
// non-test file imports lambda/dev, so a library cannot drag tooling into a
// function that has not been written yet. Test files may (golden, the
// emulator, patience).
func TestOnlyTestsImportTooling(t *testing.T) {
	module := modulePath(t)
	pkgs := goList(t, nil, module+"/...")
	require.Greater(t, len(pkgs), 20, "go list %s/... found too few packages", module)
	assert.Empty(t, toolingImports(module, pkgs),
		"these non-test files import development tooling (see ARCHITECTURE.md)")
}

// The checks themselves find what they are for.
func TestImportChecksFindViolations(t *testing.T) {
	const m = "example.com/mod"
	t.Run("case=a shipped library importing tooling", func(t *testing.T) {
		deps := []pkg{
			{path: m + "/lambda/cmd/bootstrap", module: m, imports: []string{m + "/lambda/handler"}},
			{path: m + "/lambda/handler", module: m, imports: []string{m + "/lambda/dev/rie", "fmt"}},
			{path: m + "/lambda/dev/rie", module: m},
			{path: "fmt", standard: true},
		}
		assert.Equal(t, []string{m + "/lambda/cmd/bootstrap → " + m + "/lambda/handler → " + m + "/lambda/dev/rie"},
			forbiddenInFunction(m, m+"/lambda/cmd/bootstrap", deps))
		assert.Equal(t, []string{m + "/lambda/handler → " + m + "/lambda/dev/rie"}, toolingImports(m, deps))
	})
	t.Run("case=a test-only module in a function", func(t *testing.T) {
		deps := []pkg{
			{path: m + "/lambda/cmd/pagefn", module: m, imports: []string{"github.com/stretchr/testify/assert"}},
			{path: "github.com/stretchr/testify/assert", module: "github.com/stretchr/testify"},
			{path: "github.com/aws/aws-sdk-go-v2/service/sts", module: "github.com/aws/aws-sdk-go-v2/service/sts"},
		}
		assert.Equal(t, []string{m + "/lambda/cmd/pagefn → github.com/stretchr/testify/assert (module github.com/stretchr/testify)"},
			forbiddenInFunction(m, m+"/lambda/cmd/pagefn", deps))
	})
	t.Run("case=the trigger linking the notifier's packages", func(t *testing.T) {
		deps := []pkg{
			{path: m + "/lambda/cmd/bootstrap", module: m},
			{path: m + "/lambda/mail", module: m},
			{path: "github.com/aws/aws-sdk-go-v2/service/sesv2/types", module: "github.com/aws/aws-sdk-go-v2/service/sesv2"},
			{path: "github.com/aws/aws-sdk-go-v2/service/sesv2x", module: "github.com/aws/aws-sdk-go-v2/service/sesv2x"},
			{path: m + "/lambda/mailer", module: m},
		}
		assert.Equal(t, []string{m + "/lambda/mail", "github.com/aws/aws-sdk-go-v2/service/sesv2/types"},
			linked(m, deps, mustNotLink["lambda/cmd/bootstrap"]))
	})
	t.Run("case=the Encryption SDK outside the sender", func(t *testing.T) {
		const esdk = "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk"
		deps := []pkg{
			{path: m + "/lambda/cmd/notifier", module: m, imports: []string{m + "/lambda/codes"}},
			{path: m + "/lambda/codes", module: m, imports: []string{esdk + "/awscryptographyencryptionsdksmithygenerated"}},
			{path: esdk + "/awscryptographyencryptionsdksmithygenerated", module: esdk},
			{path: "github.com/aws/aws-sdk-go-v2/service/kms", module: "github.com/aws/aws-sdk-go-v2/service/kms"},
		}
		for _, fn := range []string{"lambda/cmd/bootstrap", "lambda/cmd/pagefn", "lambda/cmd/notifier"} {
			assert.Equal(t, []string{m + "/lambda/codes", esdk + "/awscryptographyencryptionsdksmithygenerated", "github.com/aws/aws-sdk-go-v2/service/kms"},
				linked(m, deps, mustNotLink[fn]), fn)
			assert.Equal(t, []string{m + "/lambda/cmd/notifier → " + m + "/lambda/codes → " + esdk + "/awscryptographyencryptionsdksmithygenerated (module " + esdk + ")"},
				forbiddenInFunction(m, m+"/lambda/cmd/notifier", deps, functionModules[fn]...), fn)
		}
		assert.Empty(t, linked(m, deps, mustNotLink["lambda/cmd/sender"]))
		assert.Empty(t, forbiddenInFunction(m, m+"/lambda/cmd/notifier", deps, functionModules["lambda/cmd/sender"]...))
	})
	t.Run("case=tooling and the CLI may import tooling", func(t *testing.T) {
		pkgs := []pkg{
			{path: m + "/lambda/cmd/cogmail", module: m, imports: []string{m + "/lambda/dev/check"}},
			{path: m + "/lambda/dev/preview", module: m, imports: []string{m + "/lambda/dev/check"}},
			{path: m + "/lambda/developer", module: m, imports: []string{m + "/lambda/dev"}},
		}
		assert.Equal(t, []string{m + "/lambda/developer → " + m + "/lambda/dev"}, toolingImports(m, pkgs))
	})
}
