package calendar

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func mustNew(t testing.TB, cfg Config) *Calendar {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// factLines renders facts as "DATE KIND HOURS" lines (names left out).
func factLines(facts []DayFact) string {
	var sb strings.Builder
	for _, f := range facts {
		fmt.Fprintf(&sb, "%s %s %s\n", f.Date, f.Kind, f.HoursString())
	}
	return sb.String()
}

// TestWeekdaysOfRuleDates pins the weekdays the expectations below rely on,
// so a reader can check them without a calendar.
func TestWeekdaysOfRuleDates(t *testing.T) {
	for _, tt := range []struct {
		date string
		want time.Weekday
	}{
		{"2024-05-04", time.Saturday}, {"2024-11-18", time.Monday}, {"2024-06-23", time.Sunday},
		{"2024-12-14", time.Saturday}, {"2024-12-23", time.Monday}, {"2024-12-28", time.Saturday}, {"2024-12-30", time.Monday},
		{"2025-05-04", time.Sunday}, {"2025-11-18", time.Tuesday}, {"2025-05-02", time.Friday}, {"2025-05-10", time.Saturday},
		{"2025-11-08", time.Saturday}, {"2025-11-17", time.Monday},
		{"2026-01-02", time.Friday}, {"2026-01-17", time.Saturday}, {"2026-06-22", time.Monday}, {"2026-06-27", time.Saturday},
		{"2026-05-04", time.Monday}, {"2026-11-18", time.Wednesday},
		{"2027-05-01", time.Saturday}, {"2027-05-04", time.Tuesday}, {"2027-11-18", time.Thursday},
		{"2028-05-04", time.Thursday}, {"2028-07-09", time.Sunday}, {"2028-11-18", time.Saturday}, {"2028-12-24", time.Sunday},
		{"2023-07-09", time.Sunday}, {"2018-07-08", time.Sunday},
	} {
		if got := mustDate(t, tt.date).Weekday(); got != tt.want {
			t.Errorf("%s is a %s, test assumes %s", tt.date, got, tt.want)
		}
	}
}

// expectedFacts are all facts of 2024–2028 with the Cabinet transfers on,
// checked by hand against the law, the Labour Law and the Cabinet orders.
var expectedFacts = map[int]string{
	2024: `
2024-01-01 holiday -
2024-03-28 preholiday_short 08:00-17:00
2024-03-29 holiday -
2024-03-31 holiday -
2024-04-01 holiday -
2024-04-30 preholiday_short 08:00-17:00
2024-05-01 holiday -
2024-05-03 preholiday_short 08:00-16:00
2024-05-04 holiday -
2024-05-06 observed_holiday -
2024-05-12 holiday -
2024-05-19 holiday -
2024-06-23 holiday -
2024-06-24 holiday -
2024-11-18 holiday -
2024-12-14 transferred_workday 08:00-17:00
2024-12-23 transferred_dayoff -
2024-12-24 holiday -
2024-12-25 holiday -
2024-12-26 holiday -
2024-12-28 transferred_workday 08:00-17:00
2024-12-30 transferred_dayoff -
2024-12-31 holiday -
`,
	2025: `
2025-01-01 holiday -
2025-04-17 preholiday_short 08:00-17:00
2025-04-18 holiday -
2025-04-20 holiday -
2025-04-21 holiday -
2025-04-30 preholiday_short 08:00-17:00
2025-05-01 holiday -
2025-05-02 transferred_dayoff -
2025-05-04 holiday -
2025-05-05 observed_holiday -
2025-05-10 transferred_workday 08:00-16:00
2025-05-10 preholiday_short 08:00-16:00
2025-05-11 holiday -
2025-06-08 holiday -
2025-06-23 holiday -
2025-06-24 holiday -
2025-11-08 transferred_workday 08:00-17:00
2025-11-17 transferred_dayoff -
2025-11-18 holiday -
2025-12-23 preholiday_short 08:00-17:00
2025-12-24 holiday -
2025-12-25 holiday -
2025-12-26 holiday -
2025-12-30 preholiday_short 08:00-17:00
2025-12-31 holiday -
`,
	2026: `
2026-01-01 holiday -
2026-01-02 transferred_dayoff -
2026-01-17 transferred_workday 08:00-17:00
2026-04-02 preholiday_short 08:00-17:00
2026-04-03 holiday -
2026-04-05 holiday -
2026-04-06 holiday -
2026-04-30 preholiday_short 08:00-17:00
2026-05-01 holiday -
2026-05-04 holiday -
2026-05-10 holiday -
2026-05-24 holiday -
2026-06-22 transferred_dayoff -
2026-06-23 holiday -
2026-06-24 holiday -
2026-06-27 transferred_workday 08:00-17:00
2026-11-17 preholiday_short 08:00-17:00
2026-11-18 holiday -
2026-12-23 preholiday_short 08:00-17:00
2026-12-24 holiday -
2026-12-25 holiday -
2026-12-26 holiday -
2026-12-30 preholiday_short 08:00-17:00
2026-12-31 holiday -
`,
	2027: `
2027-01-01 holiday -
2027-03-25 preholiday_short 08:00-17:00
2027-03-26 holiday -
2027-03-28 holiday -
2027-03-29 holiday -
2027-04-30 preholiday_short 08:00-16:00
2027-05-01 holiday -
2027-05-03 preholiday_short 08:00-17:00
2027-05-04 holiday -
2027-05-09 holiday -
2027-05-16 holiday -
2027-06-22 preholiday_short 08:00-17:00
2027-06-23 holiday -
2027-06-24 holiday -
2027-11-17 preholiday_short 08:00-17:00
2027-11-18 holiday -
2027-12-23 preholiday_short 08:00-17:00
2027-12-24 holiday -
2027-12-25 holiday -
2027-12-26 holiday -
2027-12-30 preholiday_short 08:00-17:00
2027-12-31 holiday -
`,
	2028: `
2028-01-01 holiday -
2028-04-13 preholiday_short 08:00-17:00
2028-04-14 holiday -
2028-04-16 holiday -
2028-04-17 holiday -
2028-05-01 holiday -
2028-05-03 preholiday_short 08:00-17:00
2028-05-04 holiday -
2028-05-14 holiday -
2028-06-04 holiday -
2028-06-22 preholiday_short 08:00-17:00
2028-06-23 holiday -
2028-06-24 holiday -
2028-07-09 holiday -
2028-07-10 observed_holiday -
2028-11-17 preholiday_short 08:00-16:00
2028-11-18 holiday -
2028-11-20 observed_holiday -
2028-12-24 holiday -
2028-12-25 holiday -
2028-12-26 holiday -
2028-12-31 holiday -
`,
}

func TestFacts2024To2028(t *testing.T) {
	c := mustNew(t, Config{})
	for y := 2024; y <= 2028; y++ {
		got := factLines(c.Facts(y))
		if want := strings.TrimPrefix(expectedFacts[y], "\n"); got != want {
			t.Errorf("Facts(%d):\ngot:\n%s\nwant:\n%s", y, got, want)
		}
	}
}

// TestFactsWithoutTransfers: with transfers off the transfer facts disappear,
// and the days they moved become ordinary (possibly shortened) days.
func TestFactsWithoutTransfers(t *testing.T) {
	on := mustNew(t, Config{})
	off := mustNew(t, Config{}.WithTransfers(false))
	for y := 2024; y <= 2028; y++ {
		var want []string
		for _, l := range strings.Split(strings.TrimSpace(expectedFacts[y]), "\n") {
			if strings.Contains(l, "transferred_") || l == "2025-05-10 preholiday_short 08:00-16:00" {
				continue
			}
			want = append(want, l)
		}
		// Days off by transfer that are days before a holiday become shortened days.
		switch y {
		case 2024:
			want = insertSorted(want, "2024-12-23 preholiday_short 08:00-17:00", "2024-12-30 preholiday_short 08:00-17:00")
		case 2025:
			want = insertSorted(want, "2025-11-17 preholiday_short 08:00-17:00")
		case 2026:
			want = insertSorted(want, "2026-06-22 preholiday_short 08:00-17:00")
		}
		if got := factLines(off.Facts(y)); got != strings.Join(want, "\n")+"\n" {
			t.Errorf("Facts(%d) without transfers:\ngot:\n%s\nwant:\n%s", y, got, strings.Join(want, "\n"))
		}
		if y == 2026 && factLines(on.Facts(y)) == factLines(off.Facts(y)) {
			t.Error("transfers make no difference")
		}
	}
}

func insertSorted(lines []string, add ...string) []string {
	out := append(lines, add...)
	for i := 1; i < len(out); i++ { // insertion sort keeps equal dates in order
		for j := i; j > 0 && out[j][:10] < out[j-1][:10]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestHours(t *testing.T) {
	on := mustNew(t, Config{})
	off := mustNew(t, Config{}.WithTransfers(false))
	tests := []struct {
		cal  *Calendar
		date string
		want string // "08:00-18:00" in Riga time, or "-"
		off  string // UTC offset of the opening, e.g. "+02:00"
	}{
		{on, "2026-11-23", "08:00-18:00", "+02:00"}, // Monday
		{on, "2026-11-26", "08:00-18:00", "+02:00"}, // Thursday
		{on, "2026-11-27", "08:00-17:00", "+02:00"}, // Friday
		{on, "2026-11-28", "-", ""},                 // Saturday
		{on, "2026-11-29", "-", ""},                 // Sunday
		{on, "2026-07-15", "08:00-18:00", "+03:00"}, // summer time
		{on, "2026-03-27", "08:00-17:00", "+02:00"}, // Friday before the switch to summer time
		{on, "2026-03-30", "08:00-18:00", "+03:00"}, // Monday after it
		{on, "2026-10-26", "08:00-18:00", "+02:00"}, // Monday after the switch back
		{on, "2026-12-23", "08:00-17:00", "+02:00"}, // Wed before Christmas Eve
		{on, "2026-12-24", "-", ""},
		{on, "2026-12-30", "08:00-17:00", "+02:00"}, // Wed before New Year's Eve
		{on, "2026-04-02", "08:00-17:00", "+03:00"}, // Thu before Good Friday
		{on, "2027-04-30", "08:00-16:00", "+03:00"}, // Fri before Sat 1 May
		{on, "2024-05-03", "08:00-16:00", "+03:00"}, // Fri before Sat 4 May
		{on, "2024-06-21", "08:00-17:00", "+03:00"}, // Fri before Sun 23 Jun: not shortened
		{on, "2024-11-15", "08:00-17:00", "+02:00"}, // Fri before Mon 18 Nov: not shortened
		{on, "2028-12-22", "08:00-17:00", "+02:00"}, // Fri before Sun 24 Dec: not shortened
		{on, "2024-05-06", "-", ""},                 // observed 4 May
		{on, "2024-05-07", "08:00-18:00", "+03:00"}, // Tuesday after the observed day
		{on, "2025-05-05", "-", ""},                 // observed 4 May
		{on, "2028-07-10", "-", ""},                 // observed Song Festival
		{on, "2028-11-20", "-", ""},                 // observed 18 Nov
		{on, "2028-11-17", "08:00-16:00", "+02:00"}, // Fri before Sat 18 Nov
		{on, "2025-11-18", "-", ""},                 // Tuesday holiday, nothing observed
		{on, "2025-11-19", "08:00-18:00", "+02:00"},
		{on, "2023-05-29", "-", ""}, // hockey bronze
		{on, "2023-05-26", "08:00-17:00", "+03:00"},
		{on, "2018-09-24", "-", ""},                 // Pope's visit
		{on, "2018-09-21", "08:00-17:00", "+03:00"}, // Friday before a Monday holiday
		{on, "2023-07-10", "-", ""},                 // observed Song Festival 2023
		{on, "2018-07-09", "-", ""},                 // observed Song Festival 2018
		// Transfers on.
		{on, "2024-12-14", "08:00-17:00", "+02:00"}, // replaces Mon 23 Dec (before Christmas Eve)
		{on, "2024-12-23", "-", ""},
		{on, "2024-12-28", "08:00-17:00", "+02:00"}, // replaces Mon 30 Dec (before 31 Dec)
		{on, "2024-12-30", "-", ""},
		{on, "2025-05-02", "-", ""},
		{on, "2025-05-10", "08:00-16:00", "+03:00"}, // Friday's hours, and itself before Mother's Day
		{on, "2025-11-08", "08:00-17:00", "+02:00"}, // replaces Mon 17 Nov (before 18 Nov)
		{on, "2025-11-17", "-", ""},
		{on, "2026-01-02", "-", ""},
		{on, "2026-01-17", "08:00-17:00", "+02:00"}, // Friday's hours
		{on, "2026-06-22", "-", ""},
		{on, "2026-06-27", "08:00-17:00", "+03:00"}, // shortened Monday's hours
		// Transfers off.
		{off, "2024-12-14", "-", ""},
		{off, "2024-12-23", "08:00-17:00", "+02:00"},
		{off, "2024-12-30", "08:00-17:00", "+02:00"},
		{off, "2025-05-02", "08:00-17:00", "+03:00"},
		{off, "2025-05-10", "-", ""},
		{off, "2025-11-17", "08:00-17:00", "+02:00"},
		{off, "2026-01-02", "08:00-17:00", "+02:00"},
		{off, "2026-01-17", "-", ""},
		{off, "2026-06-22", "08:00-17:00", "+03:00"},
		{off, "2026-06-27", "-", ""},
	}
	for _, tt := range tests {
		d := mustDate(t, tt.date)
		for _, probe := range []time.Time{
			d.Time(), // local midnight
			time.Date(d.Year, d.Month, d.Day, 23, 59, 59, 0, riga),
			time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, riga).UTC(), // any location
		} {
			open, cl, ok := tt.cal.Hours(probe)
			got := "-"
			if ok {
				got = open.Format("15:04") + "-" + cl.Format("15:04")
				if o := open.Format("-07:00"); o != tt.off {
					t.Errorf("%s: opening offset %s, want %s", tt.date, o, tt.off)
				}
				if DateOf(open) != d || DateOf(cl) != d {
					t.Errorf("%s: hours %v–%v on another date", tt.date, open, cl)
				}
			}
			if got != tt.want {
				t.Errorf("Hours(%s) transfers=%v = %s, want %s", probe, tt.cal.transfers, got, tt.want)
			}
		}
		o1, c1, ok1 := tt.cal.HoursOn(d)
		o2, c2, ok2 := tt.cal.Hours(d.Time())
		if ok1 != ok2 || !o1.Equal(o2) || !c1.Equal(c2) {
			t.Errorf("HoursOn(%s) disagrees with Hours", d)
		}
	}
}

// TestHoursExhaustive checks the invariants of every day 2024–2028.
func TestHoursExhaustive(t *testing.T) {
	c := mustNew(t, Config{})
	for d := (Date{2024, 1, 1}); d.Year <= 2028; d = d.AddDays(1) {
		open, cl, ok := c.HoursOn(d)
		wd := d.Weekday()
		if !ok {
			continue
		}
		if open.Hour() != 8 || open.Minute() != 0 {
			t.Errorf("%s opens at %s", d, open)
		}
		switch h := cl.Sub(open); {
		case h != 10*time.Hour && h != 9*time.Hour && h != 8*time.Hour:
			t.Errorf("%s (%s) has %s of service", d, wd, h)
		case wd == time.Friday && h == 10*time.Hour:
			t.Errorf("Friday %s has 10 h", d)
		}
	}
}

// TestTwoFactsOnOneDate: Mother's Day and Pentecost coincide on 13 May 2035.
func TestTwoFactsOnOneDate(t *testing.T) {
	c := mustNew(t, Config{})
	var got []string
	for _, f := range c.Facts(2035) {
		if f.Date == (Date{2035, time.May, 13}) {
			got = append(got, string(f.Kind)+" "+f.NameEN)
		}
	}
	want := []string{"holiday Mother's Day", "holiday Pentecost"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("facts on 2035-05-13 = %q, want %q", got, want)
	}
	var buf bytes.Buffer
	if err := c.WriteYear(&buf, 2035); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "2035-05-13\t"); n != 2 {
		t.Errorf("WriteYear has %d lines for 2035-05-13, want 2", n)
	}
}

func TestFactNamesAndOrder(t *testing.T) {
	c := mustNew(t, Config{})
	for y := 2018; y <= 2030; y++ {
		facts := c.Facts(y)
		for i, f := range facts {
			if f.NameLV == "" || f.NameEN == "" {
				t.Errorf("%s %s has no name", f.Date, f.Kind)
			}
			if strings.ContainsAny(f.NameLV+f.NameEN, "\t\n") {
				t.Errorf("%s name contains a tab or newline", f.Date)
			}
			if i > 0 && f.Date.Before(facts[i-1].Date) {
				t.Errorf("facts of %d not sorted at %s", y, f.Date)
			}
			if f.Date.Year != y {
				t.Errorf("fact %s in year %d", f.Date, y)
			}
		}
	}
	names := map[string]string{}
	for _, f := range c.Facts(2028) {
		if f.Kind == Holiday {
			names[f.Date.String()] = f.NameLV + " / " + f.NameEN
		}
	}
	for d, want := range map[string]string{
		"2028-01-01": "Jaungada diena / New Year's Day",
		"2028-04-14": "Lielā piektdiena / Good Friday",
		"2028-05-14": "Mātes diena / Mother's Day",
		"2028-06-04": "Vasarsvētki / Pentecost",
		"2028-06-23": "Līgo diena / Midsummer Eve",
		"2028-06-24": "Jāņu diena / Midsummer Day",
		"2028-07-09": "Vispārējo latviešu Dziesmu un Deju svētku noslēguma diena / Closing day of the Latvian Song and Dance Festival",
		"2028-11-18": "Latvijas Republikas Proklamēšanas diena / Proclamation Day of the Republic of Latvia",
		"2028-12-31": "Vecgada diena / New Year's Eve",
	} {
		if names[d] != want {
			t.Errorf("%s: %q, want %q", d, names[d], want)
		}
	}
}

func TestConfigYAML(t *testing.T) {
	const doc = `
transfers: true
extra_transfers:
  - {dayoff: 2027-05-03, workday: 2027-05-15, name_lv: "Pārcelta darba diena", name_en: "Moved working day"}
extra_holidays:
  - {date: 2033-07-10, name_lv: "Dziesmu svētku noslēguma diena", name_en: "Song Festival closing day", observed: true}
  - {date: 2027-09-10, name_lv: "Vienreizēja svētku diena", name_en: "One-off holiday"}
extra_days_off:
  - {date: 2027-12-27, name_lv: "Papildu brīvdiena", name_en: "Extra day off"}
hours: {mon_thu: "09:00-18:00", fri: "09:00-16:30", preholiday_shorten: 30m}
`
	var cfg Config
	if err := yaml.Unmarshal([]byte(doc), &cfg); err != nil {
		t.Fatal(err)
	}
	c := mustNew(t, cfg)
	check := func(date, want string) {
		t.Helper()
		o, cl, ok := c.HoursOn(mustDate(t, date))
		got := "-"
		if ok {
			got = o.Format("15:04") + "-" + cl.Format("15:04")
		}
		if got != want {
			t.Errorf("%s: %s, want %s", date, got, want)
		}
	}
	check("2027-05-03", "-")           // transferred day off (Mon before 4 May)
	check("2027-05-15", "09:00-17:30") // Monday's shortened hours
	check("2027-09-10", "-")           // one-off holiday (Friday)
	check("2027-09-09", "09:00-17:30") // Thursday before it
	check("2027-12-27", "-")           // extra day off (Monday)
	check("2027-12-28", "09:00-18:00")
	check("2033-07-10", "-") // Sunday holiday …
	check("2033-07-11", "-") // … observed on Monday
	check("2033-07-08", "09:00-16:30")
	check("2026-11-27", "09:00-16:30")
	var buf bytes.Buffer
	if err := c.WriteYear(&buf, 2027); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"2027-05-03\ttransferred_dayoff\t-\tPārcelta darba diena / Moved working day\n",
		"2027-05-15\ttransferred_workday\t09:00-17:30\tPārcelta darba diena / Moved working day\n",
		"2027-09-10\tholiday\t-\tVienreizēja svētku diena / One-off holiday\n",
		"2027-12-27\tdayoff\t-\tPapildu brīvdiena / Extra day off\n",
	} {
		if !strings.Contains(buf.String(), line) {
			t.Errorf("WriteYear(2027) lacks %q:\n%s", line, buf.String())
		}
	}
	facts := c.Facts(2033)
	var obs bool
	for _, f := range facts {
		obs = obs || (f.Kind == ObservedHoliday && f.Date == Date{2033, 7, 11})
	}
	if !obs {
		t.Error("2033-07-11 is not an observed holiday")
	}

	// transfers: false turns off built-in and extra transfers.
	cfg.Transfers = nil
	if err := yaml.Unmarshal([]byte("transfers: false"), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.TransfersOn() {
		t.Fatal("transfers: false not decoded")
	}
	c = mustNew(t, cfg)
	check("2027-05-03", "09:00-17:30")
	check("2027-05-15", "-")
	check("2026-06-22", "09:00-17:30")
}

func TestConfigErrors(t *testing.T) {
	d := func(s string) Date { return mustDate(t, s) }
	for name, cfg := range map[string]Config{
		"dayoff on Saturday":      {ExtraTransfers: []Transfer{{DayOff: d("2027-05-08"), Workday: d("2027-05-15")}}},
		"dayoff on holiday":       {ExtraTransfers: []Transfer{{DayOff: d("2027-05-04"), Workday: d("2027-05-15")}}},
		"workday on Monday":       {ExtraTransfers: []Transfer{{DayOff: d("2027-05-03"), Workday: d("2027-05-10")}}},
		"workday on holiday":      {ExtraTransfers: []Transfer{{DayOff: d("2027-06-22"), Workday: d("2028-07-09")}}},
		"workday missing":         {ExtraTransfers: []Transfer{{DayOff: d("2027-05-03")}}},
		"duplicate transfer":      {ExtraTransfers: []Transfer{{DayOff: d("2026-01-02"), Workday: d("2026-01-24")}}},
		"extra day off on Sunday": {ExtraDaysOff: []DayOff{{Date: d("2027-05-09")}}},
		"extra day off twice":     {ExtraDaysOff: []DayOff{{Date: d("2027-05-10")}, {Date: d("2027-05-10")}}},
		"holiday without name":    {ExtraHolidays: []ExtraHoliday{{Date: d("2027-05-10")}}},
		"bad hours":               {Hours: ServiceHours{MonThu: "8-18"}},
		"hours reversed":          {Hours: ServiceHours{Fri: "17:00-08:00"}},
		"bad shortening":          {Hours: ServiceHours{PreholidayShorten: "an hour"}},
		"shortening too long":     {Hours: ServiceHours{Fri: "08:00-09:00", PreholidayShorten: "1h"}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	// The same transfer is accepted with transfers off (it is not applied).
	if _, err := New(Config{ExtraTransfers: []Transfer{{DayOff: d("2026-01-02"), Workday: d("2026-01-24")}}}.WithTransfers(false)); err != nil {
		t.Errorf("transfers off: %v", err)
	}
	var dd Date
	if err := yaml.Unmarshal([]byte("2027-02-30"), &dd); err == nil {
		t.Error("2027-02-30 accepted")
	}
}

func TestInterval(t *testing.T) {
	c := mustNew(t, Config{})
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, riga)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct{ t, open, close string }{
		{"2026-11-23 07:59", "2026-11-23 08:00", "2026-11-23 18:00"},
		{"2026-11-23 08:00", "2026-11-23 08:00", "2026-11-23 18:00"},
		{"2026-11-23 17:59", "2026-11-23 08:00", "2026-11-23 18:00"},
		{"2026-11-23 18:00", "2026-11-24 08:00", "2026-11-24 18:00"}, // close belongs to no interval
		{"2026-11-27 17:00", "2026-11-30 08:00", "2026-11-30 18:00"},
		{"2026-12-23 17:00", "2026-12-28 08:00", "2026-12-28 18:00"},
		{"2026-12-30 17:00", "2027-01-04 08:00", "2027-01-04 18:00"}, // across the year
		{"2026-06-19 17:00", "2026-06-25 08:00", "2026-06-25 18:00"},
		{"2026-06-26 18:00", "2026-06-27 08:00", "2026-06-27 17:00"}, // working Saturday
	} {
		o, cl := c.Interval(at(tt.t))
		if !o.Equal(at(tt.open)) || !cl.Equal(at(tt.close)) {
			t.Errorf("Interval(%s) = %s – %s, want %s – %s", tt.t, o, cl, tt.open, tt.close)
		}
	}
	// One nanosecond before the close is still inside.
	cl := at("2026-11-23 18:00")
	if o, c2 := c.Interval(cl.Add(-1)); !c2.Equal(cl) || !o.Equal(at("2026-11-23 08:00")) {
		t.Errorf("Interval(close-1ns) = %s – %s", o, c2)
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	c := mustNew(t, Config{})
	var wg sync.WaitGroup
	res := make([]string, 8)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sb strings.Builder
			for y := 2024; y <= 2030; y++ {
				o, cl, _ := c.HoursOn(Date{y, time.June, 22})
				sb.WriteString(o.String() + cl.String() + factLines(c.Facts(y)))
			}
			res[i] = sb.String()
		}()
	}
	wg.Wait()
	for i := range res {
		if res[i] != res[0] {
			t.Fatal("concurrent first use gave different results")
		}
	}
}

func TestDate(t *testing.T) {
	d := mustDate(t, "2024-02-28")
	if got := d.AddDays(2).String(); got != "2024-03-01" {
		t.Errorf("AddDays = %s", got)
	}
	if got := d.AddDays(-59).String(); got != "2023-12-31" {
		t.Errorf("AddDays(-59) = %s", got)
	}
	if b, _ := d.MarshalText(); string(b) != "2024-02-28" {
		t.Errorf("MarshalText = %s", b)
	}
	if _, err := ParseDate("28.02.2024"); err == nil {
		t.Error("ParseDate accepted 28.02.2024")
	}
	// 23:30 UTC on 31 Dec is already 1 Jan in Riga.
	if got := DateOf(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)); got != (Date{2027, 1, 1}) {
		t.Errorf("DateOf = %s", got)
	}
	if Location().String() != "Europe/Riga" {
		t.Error(Location())
	}
}

func TestRunCalendarCLI(t *testing.T) {
	var on, off bytes.Buffer
	if err := RunCalendarCLI([]string{"2026"}, &on); err != nil {
		t.Fatal(err)
	}
	if err := RunCalendarCLI([]string{"2026", "--no-transfers"}, &off); err != nil {
		t.Fatal(err)
	}
	var off2 bytes.Buffer
	if err := RunCalendarCLI([]string{"--no-transfers", "2026"}, &off2); err != nil {
		t.Fatal(err)
	}
	if off.String() != off2.String() {
		t.Error("flag position changes the output")
	}
	if strings.Contains(off.String(), "transferred") || !strings.Contains(on.String(), "transferred") {
		t.Errorf("--no-transfers not honoured:\n%s", off.String())
	}
	if !strings.Contains(off.String(), "2026-06-22\tpreholiday_short\t08:00-17:00\t") {
		t.Errorf("without transfers 22 Jun 2026 should be a shortened day:\n%s", off.String())
	}
	for _, args := range [][]string{nil, {"twenty"}, {"2026", "2027"}, {"--bogus", "2026"}} {
		if err := RunCalendarCLI(args, &bytes.Buffer{}); err == nil {
			t.Errorf("RunCalendarCLI(%q) accepted", args)
		}
	}
}
