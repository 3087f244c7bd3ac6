package render

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package doc lists the files in the order of a message's path; each
// file uses only functions, variables and constants of its own and of the
// files after it (types are shared). A reader goes down, never back up.
func TestFilesReadDownward(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	var order []string
	for _, m := range regexp.MustCompile(`(?m)^//\t(\w+\.go) `).FindAllStringSubmatch(string(doc), -1) {
		order = append(order, m[1])
	}
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var files []string
	for _, name := range names {
		if !strings.HasSuffix(name, "_test.go") && name != "doc.go" {
			files = append(files, name)
		}
	}
	require.ElementsMatch(t, files, order, "doc.go lists every file once")

	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		parsed = append(parsed, f)
	}
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "gc", exportData(t))}
	pkg, err := conf.Check("github.com/cogmail/cogmail/lambda/render", fset, parsed, info)
	require.NoError(t, err)
	position := func(file string) int { return slices.Index(order, filepath.Base(file)) }
	for ident, obj := range info.Uses {
		if obj.Pkg() != pkg {
			continue
		}
		switch obj := obj.(type) {
		case *types.Func:
		case *types.Var, *types.Const:
			if obj.Parent() != pkg.Scope() {
				continue // a local, a parameter or a field
			}
		default:
			continue // types are shared
		}
		from, to := fset.Position(ident.Pos()).Filename, fset.Position(obj.Pos()).Filename
		assert.GreaterOrEqual(t, position(to), position(from),
			"%s uses %s of %s, which comes before it in doc.go's order", fset.Position(ident.Pos()), obj.Name(), filepath.Base(to))
	}
}

// exportData finds the compiled export data of the package's imports, as
// the go command lists it, for the type checker.
func exportData(t *testing.T) importer.Lookup {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}", ".").Output()
	require.NoError(t, err)
	files := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if path, file, ok := strings.Cut(strings.TrimSpace(line), "="); ok && file != "" {
			files[path] = file
		}
	}
	return func(path string) (io.ReadCloser, error) {
		file, ok := files[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	}
}
