package deploy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/internal/metrics"
)

// metricsConstants maps each exported string constant of
// lambda/internal/metrics to its value, read from the package's source, so
// that no name is typed twice.
func metricsConstants(t *testing.T) map[string]string {
	t.Helper()
	dir := filepath.Join(moduleRoot(t), "lambda", "internal", "metrics")
	consts := map[string]string{}
	for _, file := range parseDir(t, dir, false) {
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) || !name.IsExported() {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, err := strconv.Unquote(lit.Value)
						require.NoError(t, err)
						consts[name.Name] = v
					}
				}
			}
		}
	}
	// The parse reads the package the tests import.
	require.Equal(t, metrics.Answers, consts["Answers"])
	require.Equal(t, metrics.DimFunction, consts["DimFunction"])
	return consts
}

// emission is a metric the code declares: its dimensions (Function first,
// as metrics.NewSpec writes them) and the package that declares it.
type emission struct {
	dims    []string
	pkgPath string
}

// emittedMetrics returns, by metric name, every metrics.Metric literal of
// the module's non-test code under lambda/: what the functions write into
// their log lines, hence what CloudWatch will hold.
func emittedMetrics(t *testing.T) map[string][]emission {
	t.Helper()
	consts := metricsConstants(t)
	resolve := func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && id.Name == "metrics" {
				v, ok := consts[x.Sel.Name]
				return v, ok
			}
		case *ast.BasicLit:
			if x.Kind == token.STRING {
				v, err := strconv.Unquote(x.Value)
				return v, err == nil
			}
		}
		return "", false
	}
	root := moduleRoot(t)
	out := map[string][]emission{}
	err := filepath.WalkDir(filepath.Join(root, "lambda"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, file := range parseDir(t, path, true) {
			ast.Inspect(file, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				sel, ok := lit.Type.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Metric" {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "metrics" {
					return true
				}
				var name string
				dims := []string{metrics.DimFunction}
				for _, elt := range lit.Elts {
					kv, ok := elt.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					switch kv.Key.(*ast.Ident).Name {
					case "Name":
						v, ok := resolve(kv.Value)
						require.True(t, ok, "%s: a metric's Name is not a constant of lambda/internal/metrics", rel)
						name = v
					case "Dims":
						list, ok := kv.Value.(*ast.CompositeLit)
						require.True(t, ok, "%s: Dims is not a literal list", rel)
						for _, d := range list.Elts {
							v, ok := resolve(d)
							require.True(t, ok, "%s: a dimension is not a constant of lambda/internal/metrics", rel)
							dims = append(dims, v)
						}
					}
				}
				out[name] = append(out[name], emission{dims: dims, pkgPath: filepath.ToSlash(rel)})
				return true
			})
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// parseDir parses the Go files of one directory, without its tests when
// skipTests.
func parseDir(t *testing.T, dir string, skipTests bool) []*ast.File {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var files []*ast.File
	for _, m := range matches {
		if skipTests && strings.HasSuffix(m, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), m, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		files = append(files, f)
	}
	return files
}

// emits reports whether the code declares metric name with exactly the
// dimensions dims (in any order: CloudWatch matches them as a set).
func emits(emitted map[string][]emission, name string, dims []string) bool {
	want := slices.Sorted(slices.Values(dims))
	for _, e := range emitted[name] {
		if slices.Equal(slices.Sorted(slices.Values(e.dims)), want) {
			return true
		}
	}
	return false
}
