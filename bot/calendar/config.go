package calendar

import (
	"fmt"
	"strings"
	"time"
)

// Config configures a Calendar. The zero Config is the default: the
// built-in Latvian holidays, the built-in Cabinet transfers and the normal
// service hours (Mon–Thu 08:00–18:00, Fri 08:00–17:00, one hour shorter
// before a public holiday). Everything that changes by a new law or Cabinet
// order can be added here without a rebuild.
//
// Example (YAML):
//
//	transfers: true
//	extra_transfers:
//	  - {dayoff: 2027-05-03, workday: 2027-05-15, name_lv: "…", name_en: "…"}
//	extra_holidays:
//	  - {date: 2033-07-10, name_lv: "Dziesmu svētku noslēguma diena", name_en: "Song Festival closing day", observed: true}
//	extra_days_off:
//	  - {date: 2027-12-27, name_lv: "…", name_en: "…"}
//	hours: {mon_thu: "08:00-18:00", fri: "08:00-17:00", preholiday_shorten: 1h}
type Config struct {
	// Transfers turns the Cabinet transfers of working days (built-in and
	// ExtraTransfers) on or off. Nil means on.
	Transfers *bool `yaml:"transfers,omitempty" json:"transfers,omitempty"`
	// ExtraTransfers adds Cabinet transfers not built in.
	ExtraTransfers []Transfer `yaml:"extra_transfers,omitempty" json:"extra_transfers,omitempty"`
	// ExtraHolidays adds public holidays not built in (e.g. one-off ones).
	ExtraHolidays []ExtraHoliday `yaml:"extra_holidays,omitempty" json:"extra_holidays,omitempty"`
	// ExtraDaysOff adds days off that are not holidays and not transfers
	// (no pre-holiday shortening before them).
	ExtraDaysOff []DayOff `yaml:"extra_days_off,omitempty" json:"extra_days_off,omitempty"`
	// Hours overrides the service hours; empty fields keep the defaults.
	Hours ServiceHours `yaml:"hours,omitempty" json:"hours,omitempty"`
}

// WithTransfers returns a copy of c with the Cabinet transfers turned on or off.
func (c Config) WithTransfers(on bool) Config {
	c.Transfers = &on
	return c
}

// TransfersOn reports whether c applies the Cabinet transfers (the default).
func (c Config) TransfersOn() bool { return c.Transfers == nil || *c.Transfers }

// Transfer is one Cabinet transfer: DayOff (a weekday) becomes a day off and
// Workday (a Saturday or Sunday) is worked instead, with the hours DayOff
// would have had (including its pre-holiday shortening).
type Transfer struct {
	DayOff  Date   `yaml:"dayoff" json:"dayoff"`
	Workday Date   `yaml:"workday" json:"workday"`
	NameLV  string `yaml:"name_lv,omitempty" json:"name_lv,omitempty"`
	NameEN  string `yaml:"name_en,omitempty" json:"name_en,omitempty"`
}

// ExtraHoliday is a public holiday added by configuration. If Observed is
// set and the holiday falls on a Saturday or Sunday, the next working day is
// a day off (as for 4 May and 18 November).
type ExtraHoliday struct {
	Date     Date   `yaml:"date" json:"date"`
	NameLV   string `yaml:"name_lv" json:"name_lv"`
	NameEN   string `yaml:"name_en" json:"name_en"`
	Observed bool   `yaml:"observed,omitempty" json:"observed,omitempty"`
}

// DayOff is a day off added by configuration that is neither a public
// holiday nor part of a transfer.
type DayOff struct {
	Date   Date   `yaml:"date" json:"date"`
	NameLV string `yaml:"name_lv,omitempty" json:"name_lv,omitempty"`
	NameEN string `yaml:"name_en,omitempty" json:"name_en,omitempty"`
}

// ServiceHours overrides the service hours. Spans are "HH:MM-HH:MM" in
// Europe/Riga local time; PreholidayShorten is a Go duration such as "1h".
type ServiceHours struct {
	MonThu            string `yaml:"mon_thu,omitempty" json:"mon_thu,omitempty"`
	Fri               string `yaml:"fri,omitempty" json:"fri,omitempty"`
	PreholidayShorten string `yaml:"preholiday_shorten,omitempty" json:"preholiday_shorten,omitempty"`
}

// span is a service-hours window as minutes after local midnight.
type span struct{ open, close int }

// String formats s as "08:00-18:00".
func (s span) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", s.open/60, s.open%60, s.close/60, s.close%60)
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

func parseSpan(s string, def span) (span, error) {
	if strings.TrimSpace(s) == "" {
		return def, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return span{}, fmt.Errorf("calendar: service hours %q: want HH:MM-HH:MM", s)
	}
	o, err1 := parseClock(a)
	c, err2 := parseClock(b)
	if err1 != nil || err2 != nil || c <= o {
		return span{}, fmt.Errorf("calendar: service hours %q: want HH:MM-HH:MM with the end after the start", s)
	}
	return span{o, c}, nil
}
