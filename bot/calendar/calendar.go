// Package calendar is the Latvian business calendar of itbot's SLA clock.
//
// It extends the holiday rules of github.com/rickar/cal/v2 (packages lv and
// aa) with what that library lacks for a Latvian state institution:
//
//   - all public holidays of Art. 1 of the law "Par svētku, atceres un
//     atzīmējamām dienām": also Mother's Day, Pentecost, the closing day of the
//     Song and Dance Festival (2018, 2023, 2028) and the one-off holidays of
//     2018-09-24 and 2023-05-29, with Latvian and English names;
//   - observed days off: when 4 May, the Song Festival closing day or
//     18 November falls on a Saturday or Sunday, the next working day is a day
//     off (Kind ObservedHoliday; it is not itself a holiday);
//   - the pre-holiday shortening (Labour Law Art. 133): a working day whose
//     next calendar day is a public holiday is one hour shorter. A Friday
//     before a Saturday holiday is shortened; a Friday before a Sunday holiday
//     or before an observed Monday is not;
//   - Cabinet transfers of working days for state budget institutions
//     (2024–2026 built in, more from Config): the day off gets no hours, the
//     worked Saturday gets the hours of the day it replaces, shortening
//     included;
//   - service hours Mon–Thu 08:00–18:00, Fri 08:00–17:00 (pre-holiday:
//     08:00–17:00 and 08:00–16:00) in Europe/Riga, daylight saving time
//     included. The time zone database is embedded (time/tzdata), so the
//     package works on machines without one.
//
// Rules are those in force since 2024; earlier and later years are computed
// with the same rules (plus the dated one-off days). A Calendar computes a
// year's table on first use and keeps it; it is safe for concurrent use.
//
// The CLI format written by WriteYear (and `itbot calendar YEAR`) is one line
// per fact, sorted by date, tab-separated:
//
//	DATE<TAB>KIND<TAB>HOURS<TAB>NAME
//
// DATE is YYYY-MM-DD; KIND is one of the Kind constants; HOURS is
// "08:00-17:00" for a worked day and "-" for a day off; NAME is
// "<Latvian name> / <English name>". A day with two facts (e.g. two
// holidays on one date) gives two lines, in the order holiday,
// observed_holiday, dayoff, transferred_dayoff, transferred_workday,
// preholiday_short.
package calendar

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Europe/Riga must resolve on minimal machines too.
)

var riga = mustRiga()

func mustRiga() *time.Location {
	loc, err := time.LoadLocation("Europe/Riga")
	if err != nil { // cannot happen: time/tzdata is embedded
		panic("calendar: Europe/Riga: " + err.Error())
	}
	return loc
}

// Location reports the Europe/Riga time zone in which all service hours are
// defined.
func Location() *time.Location { return riga }

// Kind classifies a DayFact.
type Kind string

// The kinds of day facts.
const (
	// Holiday is a public holiday (no service).
	Holiday Kind = "holiday"
	// ObservedHoliday is the working day given off because 4 May, the Song
	// Festival closing day or 18 November fell on a weekend.
	ObservedHoliday Kind = "observed_holiday"
	// DayOffKind is an extra day off from Config.ExtraDaysOff.
	DayOffKind Kind = "dayoff"
	// TransferredDayOff is a weekday made a day off by a Cabinet transfer.
	TransferredDayOff Kind = "transferred_dayoff"
	// TransferredWorkday is a Saturday or Sunday worked by a Cabinet transfer.
	TransferredWorkday Kind = "transferred_workday"
	// PreholidayShort is a working day one hour shorter because the next
	// calendar day is a public holiday.
	PreholidayShort Kind = "preholiday_short"
)

// DayFact is one notable fact about a date. Open and Close are the service
// hours of a worked day (TransferredWorkday, PreholidayShort) and zero for a
// day off.
type DayFact struct {
	Date   Date
	Kind   Kind
	Open   time.Time
	Close  time.Time
	NameLV string
	NameEN string
}

// Calendar is a Latvian business calendar. Create it with New.
type Calendar struct {
	transfers bool
	week      [7]span // by time.Weekday; weekend entries are zero
	shorten   int     // minutes
	holidays  []holidayDef
	dayoff    map[Date]Transfer // transfer by its day off
	workday   map[Date]Transfer // transfer by its worked day
	extraOff  map[Date]DayOff

	tables [maxCachedYear - minCachedYear + 1]atomic.Pointer[yearTable]
}

const (
	minCachedYear = 1900
	maxCachedYear = 2399
)

// dayRec holds one day's service hours as Unix seconds; close == 0 means
// there is no service that day.
type dayRec struct{ open, close int64 }

type yearTable struct {
	year  int
	days  []dayRec // index: YearDay-1
	facts []DayFact
}

// New returns a Calendar configured by cfg. It reports an error for invalid
// service hours and for transfers or days off that contradict the calendar
// (a day off on a weekend or holiday, a transferred workday that is not a
// Saturday or Sunday, the same date used twice).
func New(cfg Config) (*Calendar, error) {
	c := &Calendar{
		transfers: cfg.TransfersOn(),
		dayoff:    map[Date]Transfer{},
		workday:   map[Date]Transfer{},
		extraOff:  map[Date]DayOff{},
		holidays:  builtinHolidays(),
	}
	monThu, err := parseSpan(cfg.Hours.MonThu, span{8 * 60, 18 * 60})
	if err != nil {
		return nil, err
	}
	fri, err := parseSpan(cfg.Hours.Fri, span{8 * 60, 17 * 60})
	if err != nil {
		return nil, err
	}
	c.shorten = 60
	if s := strings.TrimSpace(cfg.Hours.PreholidayShorten); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 || d%time.Minute != 0 {
			return nil, fmt.Errorf("calendar: preholiday_shorten %q: want whole minutes such as 1h or 30m", s)
		}
		c.shorten = int(d / time.Minute)
	}
	for _, s := range []span{monThu, fri} {
		if s.close-s.open <= c.shorten {
			return nil, fmt.Errorf("calendar: service hours %s are not longer than the pre-holiday shortening", s)
		}
	}
	for wd := time.Monday; wd <= time.Thursday; wd++ {
		c.week[wd] = monThu
	}
	c.week[time.Friday] = fri

	for _, h := range cfg.ExtraHolidays {
		if h.Date.IsZero() || h.NameLV == "" {
			return nil, fmt.Errorf("calendar: extra holiday %s needs a date and name_lv", h.Date)
		}
		def := holidayDef{h: oneDay(h.Date, h.NameLV), nameEN: h.NameEN, observed: h.Observed}
		if h.Observed {
			def.h.Observed = weekendAlt
		}
		c.holidays = append(c.holidays, def)
	}
	for _, o := range cfg.ExtraDaysOff {
		if err := c.checkWeekday("extra day off", o.Date); err != nil {
			return nil, err
		}
		if _, dup := c.extraOff[o.Date]; dup {
			return nil, fmt.Errorf("calendar: extra day off %s is listed twice", o.Date)
		}
		c.extraOff[o.Date] = o
	}
	if c.transfers {
		all := append(slices.Clone(builtinTransfers), cfg.ExtraTransfers...)
		for _, t := range all {
			if err := c.checkWeekday("transferred day off", t.DayOff); err != nil {
				return nil, err
			}
			if wd := t.Workday.Weekday(); t.Workday.IsZero() || (wd != time.Saturday && wd != time.Sunday) {
				return nil, fmt.Errorf("calendar: transferred workday %s must be a Saturday or Sunday", t.Workday)
			}
			if len(c.holidayNames(t.Workday)) > 0 {
				return nil, fmt.Errorf("calendar: transferred workday %s is a public holiday", t.Workday)
			}
			_, dup1 := c.dayoff[t.DayOff]
			_, dup2 := c.workday[t.Workday]
			_, dup3 := c.extraOff[t.DayOff]
			if dup1 || dup2 || dup3 {
				return nil, fmt.Errorf("calendar: transfer %s→%s uses a date that is already transferred", t.DayOff, t.Workday)
			}
			c.dayoff[t.DayOff] = t
			c.workday[t.Workday] = t
		}
	}
	return c, nil
}

// checkWeekday validates that d is a Monday–Friday that is not a holiday.
func (c *Calendar) checkWeekday(what string, d Date) error {
	if d.IsZero() {
		return fmt.Errorf("calendar: %s: date missing", what)
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return fmt.Errorf("calendar: %s %s is a %s, not a working day", what, d, wd)
	}
	if len(c.holidayNames(d)) > 0 {
		return fmt.Errorf("calendar: %s %s is a public holiday", what, d)
	}
	return nil
}

// holidayNames reports the public holidays on d (several if they coincide).
func (c *Calendar) holidayNames(d Date) []holidayDef {
	var out []holidayDef
	for _, def := range c.holidays {
		if a, _ := def.h.Calc(d.Year); !a.IsZero() && civil(a) == d {
			out = append(out, def)
		}
	}
	return out
}

// table returns the (cached) table of year y.
func (c *Calendar) table(y int) *yearTable {
	if y < minCachedYear || y > maxCachedYear {
		return c.build(y)
	}
	p := &c.tables[y-minCachedYear]
	if t := p.Load(); t != nil {
		return t
	}
	p.CompareAndSwap(nil, c.build(y))
	return p.Load()
}

// builder holds the per-build caches of holidays by year.
type builder struct {
	c   *Calendar
	hol map[int]map[Date][]holidayDef
}

func (b *builder) holidays(d Date) []holidayDef {
	m, ok := b.hol[d.Year]
	if !ok {
		m = map[Date][]holidayDef{}
		for _, def := range b.c.holidays {
			if a, _ := def.h.Calc(d.Year); !a.IsZero() {
				m[civil(a)] = append(m[civil(a)], def)
			}
		}
		b.hol[d.Year] = m
	}
	return m[d]
}

// baseWorking reports whether d is a working day, ignoring observed days.
func (b *builder) baseWorking(d Date) bool {
	c := b.c
	if len(b.holidays(d)) > 0 {
		return false
	}
	if _, ok := c.dayoff[d]; ok {
		return false
	}
	if _, ok := c.extraOff[d]; ok {
		return false
	}
	if _, ok := c.workday[d]; ok {
		return true
	}
	return c.week[d.Weekday()].close > 0
}

// observed maps each observed day off to the holidays it stands for, for
// holidays of years y-1 and y.
func (b *builder) observed(y int) map[Date][]holidayDef {
	out := map[Date][]holidayDef{}
	for yy := y - 1; yy <= y; yy++ {
		for _, def := range b.c.holidays {
			if !def.observed {
				continue
			}
			a, _ := def.h.Calc(yy)
			if a.IsZero() {
				continue
			}
			d := civil(a)
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				continue
			}
			o := d.AddDays(1)
			for range 366 { // bounded: a zero Calendar has no working days
				if _, taken := out[o]; b.baseWorking(o) && !taken {
					out[o] = append(out[o], def)
					break
				}
				o = o.AddDays(1)
			}
		}
	}
	return out
}

// hours reports the regular service hours of weekday d, shortened if the
// next calendar day is a public holiday.
func (b *builder) hours(d Date, wd time.Weekday) (s span, short bool) {
	s = b.c.week[wd]
	if len(b.holidays(d.AddDays(1))) > 0 {
		s.close -= b.c.shorten
		short = true
	}
	return s, short
}

func joinNames(defs []holidayDef) (lv, en string) {
	var l, e []string
	for _, d := range defs {
		l = append(l, d.h.Name)
		e = append(e, d.nameEN)
	}
	return strings.Join(l, "; "), strings.Join(e, "; ")
}

func (c *Calendar) build(y int) *yearTable {
	b := &builder{c: c, hol: map[int]map[Date][]holidayDef{}}
	obs := b.observed(y)
	first := time.Date(y, time.January, 1, 12, 0, 0, 0, time.UTC)
	n := time.Date(y, time.December, 31, 12, 0, 0, 0, time.UTC).YearDay()
	t := &yearTable{year: y, days: make([]dayRec, n)}
	for i := range n {
		d := civil(first.AddDate(0, 0, i))
		fact := func(k Kind, lv, en string) DayFact {
			return DayFact{Date: d, Kind: k, NameLV: lv, NameEN: en}
		}
		work := func(s span, facts ...DayFact) {
			open := time.Date(d.Year, d.Month, d.Day, s.open/60, s.open%60, 0, 0, riga)
			cl := time.Date(d.Year, d.Month, d.Day, s.close/60, s.close%60, 0, 0, riga)
			t.days[i] = dayRec{open.Unix(), cl.Unix()}
			for _, f := range facts {
				f.Open, f.Close = open, cl
				t.facts = append(t.facts, f)
			}
		}
		preFact := func() DayFact {
			lv, en := joinNames(b.holidays(d.AddDays(1)))
			return fact(PreholidayShort, "Pirmssvētku diena ("+lv+")", "Day before a public holiday ("+en+")")
		}
		if hs := b.holidays(d); len(hs) > 0 {
			for _, h := range hs {
				t.facts = append(t.facts, fact(Holiday, h.h.Name, h.nameEN))
			}
			continue
		}
		if o, ok := obs[d]; ok {
			lv, en := joinNames(o)
			t.facts = append(t.facts, fact(ObservedHoliday, lv+" (pārceltā brīvdiena)", en+" (observed day off)"))
			continue
		}
		if o, ok := c.extraOff[d]; ok {
			t.facts = append(t.facts, fact(DayOffKind, or(o.NameLV, "Brīvdiena"), or(o.NameEN, "Day off")))
			continue
		}
		if tr, ok := c.dayoff[d]; ok {
			lv, en, _, _ := transferNames(tr)
			t.facts = append(t.facts, fact(TransferredDayOff, lv, en))
			continue
		}
		if tr, ok := c.workday[d]; ok {
			s, short := b.hours(tr.DayOff, tr.DayOff.Weekday())
			_, _, lv, en := transferNames(tr)
			facts := []DayFact{fact(TransferredWorkday, lv, en)}
			if len(b.holidays(d.AddDays(1))) > 0 {
				if !short {
					s.close -= c.shorten
				}
				facts = append(facts, preFact())
			}
			work(s, facts...)
			continue
		}
		if c.week[d.Weekday()].close == 0 {
			continue // weekend
		}
		s, short := b.hours(d, d.Weekday())
		if short {
			work(s, preFact())
		} else {
			work(s)
		}
	}
	return t
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// transferNames reports the names of a transfer for its day off and for its
// worked day; generated ones are used when the configuration gives none.
func transferNames(t Transfer) (offLV, offEN, workLV, workEN string) {
	offLV = or(t.NameLV, "Darba diena pārcelta uz "+t.Workday.String())
	offEN = or(t.NameEN, "Working day moved to "+t.Workday.String())
	workLV = or(t.NameLV, "Darba diena pārcelta no "+t.DayOff.String())
	workEN = or(t.NameEN, "Working day moved from "+t.DayOff.String())
	return offLV, offEN, workLV, workEN
}

// Hours reports the service hours of the Europe/Riga calendar date that
// contains the instant t. ok is false on a day without service (weekend,
// holiday, observed or transferred day off).
func (c *Calendar) Hours(t time.Time) (open, close time.Time, ok bool) {
	lt := t.In(riga)
	r := c.table(lt.Year()).days[lt.YearDay()-1]
	if r.close == 0 {
		return time.Time{}, time.Time{}, false
	}
	return time.Unix(r.open, 0).In(riga), time.Unix(r.close, 0).In(riga), true
}

// HoursOn reports the service hours of date d, like Hours.
func (c *Calendar) HoursOn(d Date) (open, close time.Time, ok bool) {
	return c.Hours(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, riga))
}

// maxScanYears bounds the search for the next service interval.
const maxScanYears = 3

// Interval reports the service interval [open, close) that contains t, or
// else the first one that starts after t. Service intervals are the days'
// service hours; a close instant belongs to no interval, so Interval(close)
// reports the next working day. Open is after t only if t is outside service
// hours. Both results are zero if no service hours exist within three years
// (impossible with a valid configuration).
func (c *Calendar) Interval(t time.Time) (open, close time.Time) {
	o, cl := c.interval(t)
	if cl == 0 {
		return time.Time{}, time.Time{}
	}
	return time.Unix(o, 0).In(riga), time.Unix(cl, 0).In(riga)
}

// interval is Interval in Unix seconds; close is 0 if none was found.
func (c *Calendar) interval(t time.Time) (open, close int64) {
	sec := t.Unix() // t < close ⇔ t.Unix() < close, close being whole seconds
	lt := t.In(riga)
	y, i := lt.Year(), lt.YearDay()-1
	for range maxScanYears {
		tb := c.table(y)
		for ; i < len(tb.days); i++ {
			if r := tb.days[i]; r.close != 0 && sec < r.close {
				return r.open, r.close
			}
		}
		y, i = y+1, 0
	}
	return 0, 0
}

// Facts reports the notable days of year: holidays, observed days off, extra
// days off, transfers and shortened pre-holiday days, sorted by date. The
// returned slice is the caller's.
func (c *Calendar) Facts(year int) []DayFact {
	return slices.Clone(c.table(year).facts)
}

// HoursString formats a fact's service hours as "08:00-17:00", or "-" for a
// day off.
func (f DayFact) HoursString() string {
	if f.Close.IsZero() {
		return "-"
	}
	return f.Open.In(riga).Format("15:04") + "-" + f.Close.In(riga).Format("15:04")
}

// WriteYear writes the facts of year in the stable CLI format described in
// the package comment.
func (c *Calendar) WriteYear(w io.Writer, year int) error {
	var sb strings.Builder
	for _, f := range c.table(year).facts {
		fmt.Fprintf(&sb, "%s\t%s\t%s\t%s / %s\n", f.Date, f.Kind, f.HoursString(), f.NameLV, f.NameEN)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
