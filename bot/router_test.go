package bot_test

import (
	"context"
	"slices"
	"testing"

	"itbot/bot"
)

func TestRouterMatch(t *testing.T) {
	r := bot.NewRouter(nil)
	nop := bot.HandlerFunc(func(context.Context, bot.ResponseWriter, *bot.Command) error { return nil })
	r.Handle(&bot.Spec{Names: []string{"reject", "noraidīt"}, Handler: nop})
	r.Handle(&bot.Spec{Names: []string{"dvs rights grant", "dvs tiesības piešķirt"}, Handler: nop})
	r.Handle(&bot.Spec{Names: []string{"dvs backup"}, Handler: nop})
	tests := []struct {
		text      string
		ok        bool
		name      string // "" for no command
		args      []string
		rest0     string
		wantError bool
	}{
		{"hello", false, "", nil, "", false},
		{"/itx reject", false, "", nil, "", false},
		{"/it", true, "", nil, "", false},
		{"/it reject IT-2026-000001", true, "reject", []string{"IT-2026-000001"}, "IT-2026-000001", false},
		{"  /it NORAIDĪT it-2026-1 nav vajadzīgs ", true, "reject", []string{"it-2026-1", "nav", "vajadzīgs"}, "it-2026-1 nav vajadzīgs", false},
		{"/it noraidit IT-2026-000001", true, "reject", []string{"IT-2026-000001"}, "IT-2026-000001", false},
		{"/it dvs tiesibas piešķirt a@b.lv lasitajs", true, "dvs rights grant", []string{"a@b.lv", "lasitajs"}, "a@b.lv lasitajs", false},
		{"/it dvs backup", true, "dvs backup", nil, "", false},
		{"/it dvs", true, "", nil, "", false},
		{`/it reject "unclosed`, true, "", nil, "", true},
	}
	for _, tc := range tests {
		m, ok := r.Match(tc.text)
		if ok != tc.ok {
			t.Errorf("%q: ok %v", tc.text, ok)
			continue
		}
		name := ""
		if m.Spec != nil {
			name = m.Spec.Name()
		}
		if name != tc.name || !slices.Equal(m.Args, tc.args) || (m.Err != nil) != tc.wantError {
			t.Errorf("%q: %q %q err %v, want %q %q", tc.text, name, m.Args, m.Err, tc.name, tc.args)
		}
		if len(m.Rest) > 0 && m.Rest[0] != tc.rest0 {
			t.Errorf("%q: rest %q", tc.text, m.Rest[0])
		}
		if tc.name != "" && !m.Is(tc.name) {
			t.Errorf("%q: Is(%q) false", tc.text, tc.name)
		}
	}
}
