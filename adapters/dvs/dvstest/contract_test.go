package dvstest

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// spec is the part of docs/dvs-api.yaml the contract test reads.
type spec struct {
	Paths      map[string]map[string]yaml.Node `yaml:"paths"`
	Components struct {
		Schemas   map[string]schema `yaml:"schemas"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema schema `yaml:"schema"`
			} `yaml:"content"`
		} `yaml:"responses"`
	} `yaml:"components"`
}

type schema struct {
	Ref      string            `yaml:"$ref"`
	Required []string          `yaml:"required"`
	Props    map[string]schema `yaml:"properties"`
}

type operation struct {
	Security  []any `yaml:"security"`
	Responses map[string]struct {
		Ref     string `yaml:"$ref"`
		Content map[string]struct {
			Schema schema `yaml:"schema"`
		} `yaml:"content"`
	} `yaml:"responses"`
}

func loadSpec(t *testing.T) spec {
	t.Helper()
	b, err := os.ReadFile("../../../docs/dvs-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := yaml.Unmarshal(b, &s); err != nil {
		t.Fatalf("docs/dvs-api.yaml: %v", err)
	}
	return s
}

func (s spec) resolve(sc schema) schema {
	if name, ok := strings.CutPrefix(sc.Ref, "#/components/schemas/"); ok {
		return s.Components.Schemas[name]
	}
	return sc
}

// TestSimulatorFollowsTheSpec calls every operation of docs/dvs-api.yaml
// on the simulator and checks that it exists, answers a status the spec
// lists for it, and that a success carries the fields the spec requires.
func TestSimulatorFollowsTheSpec(t *testing.T) {
	sp := loadSpec(t)
	sim, hs := NewHTTPTest(Options{})
	defer hs.Close()
	do := func(method, path, body string, auth bool) (int, []byte) {
		req, _ := http.NewRequest(method, hs.URL+Prefix+path, strings.NewReader(body))
		if auth {
			req.Header.Set("Authorization", "Bearer "+sim.Token())
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	// Ids for the {id} paths.
	_, b := do("POST", "/backups", `{"scope":"all"}`, true)
	var bk struct{ ID string }
	json.Unmarshal(b, &bk)
	_, b = do("POST", "/orgs/LGIA/exports", `{"from":"2026-10-01","to":"2026-10-05"}`, true)
	var ex struct{ ID string }
	json.Unmarshal(b, &ex)
	bodies := map[string]string{"/backups": `{"scope":"LGIA"}`, "/orgs/{org}/exports": `{"from":"2026-10-01","to":"2026-10-31"}`}
	var paths []string
	for p := range sp.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	ops := 0
	for _, p := range paths {
		for method, node := range sp.Paths[p] {
			if method == "parameters" {
				continue
			}
			var op operation
			if err := node.Decode(&op); err != nil {
				t.Fatalf("%s %s: %v", method, p, err)
			}
			ops++
			path := strings.NewReplacer("{org}", "LGIA", "{user}", "janis.ozols@lgia.gov.lv", "{role}", "arhivars").Replace(p)
			if p == "/backups/{id}" {
				path = "/backups/" + bk.ID
			}
			if p == "/exports/{id}" {
				path = "/exports/" + ex.ID
			}
			m := strings.ToUpper(method)
			status, body := do(m, path, bodies[p], true)
			resp, ok := op.Responses[strconv.Itoa(status)]
			if !ok {
				t.Errorf("%s %s answered %d, not in the spec: %s", m, p, status, body)
				continue
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Errorf("%s %s: not JSON: %s", m, p, body)
				continue
			}
			if status/100 == 2 {
				sc := sp.resolve(resp.Content["application/json"].Schema)
				for _, f := range sc.Required {
					if _, ok := got[f]; !ok {
						t.Errorf("%s %s: %d answer lacks required %q: %s", m, p, status, f, body)
					}
				}
			}
			if op.Security == nil { // the global bearer security applies
				if st, _ := do(m, path, bodies[p], false); st != http.StatusUnauthorized {
					t.Errorf("%s %s without a token: %d", m, p, st)
				}
			}
		}
	}
	if ops < 12 {
		t.Errorf("only %d operations in the spec", ops)
	}
	// Errors carry the contract's error body.
	status, body := do("PUT", "/orgs/LGIA/users/anna.berzina@lgia.gov.lv/roles/superuser", "", true)
	var e struct {
		Error struct {
			Code    string
			Details struct{ Known []string }
		}
	}
	if json.Unmarshal(body, &e); status != 400 || e.Error.Code != "unknown_role" || len(e.Error.Details.Known) != 5 {
		t.Errorf("unknown role: %d %s", status, body)
	}
	if status, _ := do("GET", "/nowhere", "", true); status != 404 {
		t.Errorf("unknown endpoint: %d", status)
	}
}

func TestListen(t *testing.T) {
	sim := New(Options{})
	url, stop, err := Listen("127.0.0.1:0", sim)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get(url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("health %d", resp.StatusCode)
	}
}
