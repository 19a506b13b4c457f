// Package archtest guards the dependency rules of docs/architecture.md with
// `go list -deps` and checks for package-level mutable state.
package archtest

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const mod = "github.com/icarus-city/icarus/"

type pkg struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Deps       []string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-json", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var ps []pkg
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	// Deps need a second call per package set: go list -deps lists them transitively.
	for i := range ps {
		out, err := exec.Command("go", "list", "-f", `{{join .Deps "\n"}}`, ps[i].ImportPath).Output()
		if err != nil {
			t.Fatalf("go list deps of %s: %v", ps[i].ImportPath, err)
		}
		ps[i].Deps = strings.Fields(string(out))
	}
	if len(ps) < 10 {
		t.Fatalf("only %d packages listed: the pattern is wrong", len(ps))
	}
	return ps
}

func rel(p string) string { return strings.TrimPrefix(p, mod) }

// rules: a package (by prefix, relative to the module) must not depend,
// directly or transitively, on the listed packages.
var forbidden = []struct {
	pkgPrefix string
	deny      []string
	why       string
}{
	{"internal/analysis", []string{"database/sql", "net/http", "os", "os/exec", mod + "internal/store", mod + "internal/web"}, "numerical methods do no I/O"},
	{"internal/geo", []string{"database/sql", "net/http", "os", "os/exec", mod + "internal/store", mod + "internal/web"}, "geo does no I/O"},
	{"internal/incident", []string{"database/sql", "net/http", mod + "internal/store", mod + "internal/web"}, "capability packages never import store or web"},
	{"internal/open311", []string{"database/sql", "net/http", mod + "internal/store", mod + "internal/web"}, "capability packages never import store or web"},
	{"internal/indicator", []string{"database/sql", "net/http", mod + "internal/store", mod + "internal/web"}, "capability packages never import store or web"},
	{"internal/kb", []string{"database/sql", "net", "net/http", "os", "os/exec", mod + "internal/store", mod + "internal/web"}, "the knowledge base capability is pure: it takes bytes and returns values"},
	{"internal/survey", []string{"database/sql", "net/http", "net", "os", "os/exec", mod + "internal/store", mod + "internal/web"}, "survey definitions and results do no I/O"},
	{"internal/auth", []string{"database/sql", "net/http", mod + "internal/store", mod + "internal/web"}, "auth holds rules, the store persists them"},
	{"internal/mail", []string{"database/sql", "net/http", mod + "internal/store", mod + "internal/web", mod + "internal/hub"}, "mail formats and sends one message; the outbox is the store's and hub's"},
	{"internal/store", []string{"net/http", mod + "internal/web", mod + "internal/cli", mod + "internal/hub"}, "store never imports web"},
	{"internal/hub", []string{"net/http", mod + "internal/web", mod + "internal/cli"}, "services do no HTTP"},
	{"internal/analyses", []string{"net/http", "os", "os/exec", mod + "internal/web", mod + "internal/cli", mod + "internal/hub"}, "the analysis service does no HTTP and opens no files (callers read files and hand it points)"},
	{"internal/web", []string{mod + "internal/cli"}, "only cli wires everything together"},
}

func TestDependencyRules(t *testing.T) {
	ps := listPackages(t)
	checked := map[string]bool{}
	for _, p := range ps {
		r := rel(p.ImportPath)
		for _, rule := range forbidden {
			if !strings.HasPrefix(r, rule.pkgPrefix) {
				continue
			}
			checked[rule.pkgPrefix] = true
			// standard-library I/O packages are checked among direct imports
			// (fmt itself imports os); the project's packages transitively
			deps := map[string]bool{}
			for _, d := range p.Imports {
				deps[d] = true
			}
			for _, d := range p.Deps {
				if strings.HasPrefix(d, mod) {
					deps[d] = true
				}
			}
			for _, d := range rule.deny {
				if deps[d] {
					t.Errorf("%s depends on %s: %s", r, d, rule.why)
				}
			}
		}
	}
	for _, rule := range forbidden {
		if !checked[rule.pkgPrefix] {
			t.Errorf("rule for %s matched no package: update the rules", rule.pkgPrefix)
		}
	}
}

// testSupport are packages only tests import (fixtures may be package-level there).
var testSupport = map[string]bool{"internal/store/storetest": true, "internal/realdata": true}

// TestNoMutableGlobals fails on package-level variables other than sentinel
// errors, compiled regular expressions, embedded files and the build version.
func TestNoMutableGlobals(t *testing.T) {
	for _, p := range listPackages(t) {
		if testSupport[rel(p.ImportPath)] {
			continue
		}
		for _, f := range p.GoFiles {
			path := filepath.Join(p.Dir, f)
			af, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range af.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.VAR {
					continue
				}
				for _, sp := range gd.Specs {
					vs := sp.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if allowedGlobal(name.Name, vs, i, gd) {
							continue
						}
						t.Errorf("%s: package-level variable %s: inject state instead (or document why it is immutable and allow it here)", rel(p.ImportPath)+"/"+f, name.Name)
					}
				}
			}
		}
	}
}

func allowedGlobal(name string, vs *ast.ValueSpec, i int, gd *ast.GenDecl) bool {
	if name == "_" || name == "Version" {
		return true
	}
	if sel, ok := vs.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "FS" {
		return true // //go:embed file systems are read-only
	}
	if i < len(vs.Values) {
		if call, ok := vs.Values[i].(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				switch x := sel.X.(*ast.Ident); {
				case x != nil && x.Name == "errors" && sel.Sel.Name == "New":
					return true
				case x != nil && x.Name == "regexp" && sel.Sel.Name == "MustCompile":
					return true
				}
			}
		}
	}
	return false
}
