package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// imports returns, for every non-test Go file under dir, the itbot and
// third-party packages it imports.
func imports(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			out[path] = append(out[path], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDependencyArrowsPointIntoBot: nothing under bot/ imports an adapter,
// the command families or the store (helpers included), and the Graph SDK
// is imported only by the adapters that need it, so bot/ and commands/
// build and test in seconds.
func TestDependencyArrowsPointIntoBot(t *testing.T) {
	for path, ims := range imports(t, "bot") {
		for _, p := range ims {
			for _, banned := range []string{"itbot/adapters", "itbot/commands", "itbot/store", "itbot/bottest"} {
				if p == banned || strings.HasPrefix(p, banned+"/") {
					t.Errorf("%s imports %s: bot/ must not depend on it", path, p)
				}
			}
		}
	}
	for _, dir := range []string{"bot", "commands", "store"} {
		for path, ims := range imports(t, dir) {
			for _, p := range ims {
				if strings.HasPrefix(p, "github.com/microsoftgraph/") {
					t.Errorf("%s imports %s: only adapters/exchange, adapters/mailbox and adapters/graph may", path, p)
				}
			}
		}
	}
}

// TestNoSwitchOnRequestTypes: request types are read from the
// request-type table; only a family's own file in commands/ may name its
// types in a comparison.
func TestNoSwitchOnRequestTypes(t *testing.T) {
	pat := regexp.MustCompile(`(case|==|!=)\s*(bot\.)?Type[A-Z]\w*`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Dir(path) == "commands" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := pat.FindString(line); m != "" {
				t.Errorf("%s:%d: %q: read the request-type table (bot.LookupType) instead", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoInitRegistrationInTheRootPackage: the app is wired by one
// constructor in plain order, not by init functions.
func TestNoInitRegistrationInTheRootPackage(t *testing.T) {
	ents, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "init" {
				t.Errorf("%s has func init(): wire it in NewApp instead", e.Name())
			}
		}
	}
}

// TestChatAdaptersDoNotTakeTheBot: the chat adapters get a bot.Door and
// are the bot's Surface; which cards a request has, where and how they
// read is the bot's (bot.Cards), so no chat adapter holds a *bot.Bot or
// renders a request card itself.
func TestChatAdaptersDoNotTakeTheBot(t *testing.T) {
	pat := regexp.MustCompile(`\*bot\.Bot\b|\.Card\(`)
	for _, dir := range []string{"adapters/slack", "adapters/mattermost", "adapters/teams"} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(b), "\n") {
				if m := pat.FindString(line); m != "" {
					t.Errorf("%s/%s:%d: %q: adapters post what bot.Cards decides", dir, e.Name(), i+1, m)
				}
			}
		}
	}
}
